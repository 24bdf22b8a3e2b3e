import { Redis } from 'ioredis';
import { createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import type { TestSocket } from '../support/ws-client';
import { Cluster, describeScaleOut, Instance, testClientsClosedAfterEach, waitFor } from './support/cluster';

/**
 * Redis restarted without persistence (or a failover to an empty node) takes the BullMQ job
 * schedulers with it. The instances must register them again when their connection is back,
 * or no reminder, reading or push sweep runs anywhere until one of them restarts.
 */
const TYPES = ['consultation_reminder', 'daily_reading'];

describeScaleOut('scale-out: scheduled work after Redis lost its data', () => {
  let cluster: Cluster;
  const gateways = testClientsClosedAfterEach();

  beforeAll(async () => {
    cluster = await Cluster.start(2, { DAILY_READING_HOUR: '0', SCHEDULER_TICK_MS: '200' });
  }, 180_000);

  afterAll(() => cluster?.stopAndCheck({ noneDied: true }), 60_000);

  const stored = async (type: string, userId: string): Promise<number> => {
    const [row] = await cluster.rows<{ n: string }>(
      `SELECT COUNT(*) AS n FROM notifications WHERE notification_type = $1 AND user_id = $2`,
      [type, userId],
    );
    return Number(row.n);
  };
  const received = (socket: TestSocket, type: string) =>
    socket.all('notification').filter((frame) => frame.data.notification_type === type).length;

  /** Due for both jobs at once: a consultation in 10 minutes (inside the reminder window) and a birth date (DAILY_READING_HOUR=0). */
  async function dueNow(instance: Instance, client: TestUser): Promise<void> {
    const birth = await http(instance.httpUrl, 'PATCH', '/api/users/me', {
      token: client.token,
      body: { birth_date: '1990-05-14' },
    });
    expect(birth.status).toBe(200);
    const numerologist = await createUser(instance, { role: 'numerologist' });
    const res = await http(instance.httpUrl, 'POST', '/api/consultations', {
      token: client.token,
      body: { numerologist_id: numerologist.id, scheduled_at: new Date(Date.now() + 10 * 60_000).toISOString() },
    });
    expect(res.status).toBe(201);
  }

  /**
   * A reminder and a daily reading due now (two schedulers: a flush can miss the one whose next
   * tick BullMQ was adding at that moment) reach their user once, over the socket too, and once
   * a later sweep of each has run they are still once.
   */
  async function deliveredExactlyOnce(A: Instance, B: Instance): Promise<void> {
    const client = await createUser(A);
    const { socket } = await gateways(B).notifications(client);
    await socket.next('unread_count');
    await dueNow(A, client);
    for (const type of TYPES) {
      await waitFor(`the ${type}`, async () => (await stored(type, client.id)) >= 1, 30_000, 100);
      await waitFor(`its frame`, () => received(socket, type) >= 1, 10_000);
    }

    // Once a user due now has both, a whole later sweep of each job has run: the first's are still once.
    const marker = await createUser(B);
    await dueNow(B, marker);
    for (const type of TYPES) {
      await waitFor(`the marker’s ${type}`, async () => (await stored(type, marker.id)) >= 1, 30_000, 100);
    }
    for (const type of TYPES) {
      expect(await stored(type, client.id)).toBe(1);
      expect(received(socket, type)).toBe(1);
    }
  }

  it('a reminder and a reading due after a restart without persistence: each delivered exactly once', async () => {
    const [A, B] = cluster.instances;
    await cluster.redis.stop();
    await cluster.redis.restart();
    for (const instance of [A, B]) {
      await waitFor(`${instance.name} healthy again`, async () => (await instance.health()).status === 200, 30_000);
    }
    await deliveredExactlyOnce(A, B);
  }, 120_000);

  it('a reminder and a reading due after a FLUSHALL (no reconnect): each delivered exactly once', async () => {
    const [A, B] = cluster.instances;
    const redis = cluster.redis.client();
    try {
      const masters = redis instanceof Redis ? [redis] : redis.nodes('master');
      await Promise.all(masters.map((node) => node.flushall()));
    } finally {
      redis.disconnect();
    }
    // The connections never dropped: only the instances' self-check brings the schedulers back.
    await deliveredExactlyOnce(A, B);
  }, 120_000);
});
