import { createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import type { TestSocket } from '../support/ws-client';
import { Cluster, describeScaleOut, Instance, testClientsClosedAfterEach, waitFor } from './support/cluster';

/**
 * Scheduled notifications on three instances (separate processes) sharing PostgreSQL and
 * Redis, the scheduler on BullMQ: every daily reading and reminder is stored once and
 * received once, and killing every instance in the middle of a sweep loses none and
 * doubles none. DAILY_READING_HOUR=0 makes a user due as soon as they have a birth date,
 * so the test needs no particular time of day; the short tick makes sweeps frequent.
 */
const USERS = 24;
const BATCH = 60;

describeScaleOut('scale-out: scheduled notifications exactly once', () => {
  let cluster: Cluster;
  const gateways = testClientsClosedAfterEach();

  /** Stored notifications of `type` per user, for these users. */
  const stored = async (type: string, userIds: string[]): Promise<Map<string, number>> => {
    const rows = await cluster.rows<{ user_id: string; n: string }>(
      `SELECT user_id, COUNT(*) AS n FROM notifications WHERE notification_type = $1 AND user_id = ANY($2::uuid[]) GROUP BY user_id`,
      [type, userIds],
    );
    return new Map(rows.map((row) => [row.user_id, Number(row.n)]));
  };
  const everyoneHasOne = async (type: string, userIds: string[]) => {
    const counts = await stored(type, userIds);
    return userIds.every((id) => (counts.get(id) ?? 0) >= 1);
  };
  const setBirthDate = (instance: Instance, user: TestUser) =>
    http(instance.httpUrl, 'PATCH', '/api/users/me', { token: user.token, body: { birth_date: '1990-05-14' } });
  const received = (socket: TestSocket, type: string) =>
    socket.all('notification').filter((frame) => frame.data.notification_type === type).length;

  /** A user who becomes due after everything above; once theirs is stored, a whole later sweep has run. */
  async function marker(instance: Instance): Promise<void> {
    const user = await createUser(instance);
    await setBirthDate(instance, user);
    await waitFor('the marker user’s daily reading', () => everyoneHasOne('daily_reading', [user.id]), 60_000, 100);
  }

  beforeAll(async () => {
    cluster = await Cluster.start(3, { DAILY_READING_HOUR: '0', SCHEDULER_TICK_MS: '200' });
  }, 180_000);

  afterAll(() => cluster?.stopAndCheck(), 60_000);

  it('daily readings and reminders: one each, stored and received, with sockets on every instance', async () => {
    // The running ones: the kill test may have run first and replaced all three.
    const [A, B, C] = cluster.instances.filter((instance) => instance.running);
    const on = (i: number) => [A, B, C][i % 3];
    const users: TestUser[] = [];
    for (let i = 0; i < USERS; i++) users.push(await createUser(on(i)));
    const inboxes = await Promise.all(
      users.map(async (user, i) => {
        const { socket } = await gateways(on(i + 1)).notifications(user);
        await socket.next('unread_count');
        return socket;
      }),
    );

    // Reminders: half of them book a consultation starting in 10 minutes (inside the 15-minute window).
    const participants: string[] = [];
    const reminderSockets: TestSocket[] = [];
    for (let i = 0; i < USERS / 2; i++) {
      const numerologist = await createUser(on(i), { role: 'numerologist' });
      const res = await http(on(i + 2).httpUrl, 'POST', '/api/consultations', {
        token: users[i].token,
        body: { numerologist_id: numerologist.id, scheduled_at: new Date(Date.now() + 10 * 60_000).toISOString() },
      });
      expect(res.status).toBe(201);
      participants.push(users[i].id, numerologist.id);
      reminderSockets.push(inboxes[i]);
    }

    await Promise.all(users.map((user, i) => setBirthDate(on(i + 2), user)));
    const ids = users.map((user) => user.id);
    await waitFor('a daily reading for everyone', () => everyoneHasOne('daily_reading', ids), 60_000, 100);
    await waitFor(
      'a reminder for every participant',
      () => everyoneHasOne('consultation_reminder', participants),
      60_000,
    );
    await marker(B);

    expect([...(await stored('daily_reading', ids)).values()]).toEqual(ids.map(() => 1));
    expect([...(await stored('consultation_reminder', participants)).values()]).toEqual(participants.map(() => 1));
    for (const socket of inboxes) {
      await waitFor('the frame', () => received(socket, 'daily_reading') >= 1, 10_000);
      expect(received(socket, 'daily_reading')).toBe(1);
    }
    for (const socket of reminderSockets) {
      await waitFor('the frame', () => received(socket, 'consultation_reminder') >= 1, 10_000);
      expect(received(socket, 'consultation_reminder')).toBe(1);
    }
  }, 240_000);

  it('every instance killed in the middle of a sweep, three new ones started: nothing missed, nothing twice', async () => {
    const [A] = cluster.instances.filter((instance) => instance.running);
    const users: TestUser[] = [];
    for (let i = 0; i < BATCH; i++) users.push(await createUser(A));
    const ids = users.map((user) => user.id);
    // All due at once, straight in the store, so the sweep that picks them up has a long list to go through.
    await cluster.sql(`UPDATE users SET birth_date = '1985-03-17' WHERE id = ANY($1::uuid[])`, [ids]);
    await waitFor('the sweep to be under way', async () => (await stored('daily_reading', ids)).size > 0, 30_000, 10);
    for (const instance of cluster.instances) instance.kill('SIGKILL');
    await Promise.all(cluster.instances.map((instance) => instance.exited));
    const atKill = [...(await stored('daily_reading', ids)).values()].reduce((sum, n) => sum + n, 0);

    // One after the other: three cold starts at once can take longer than the health wait on a loaded 2-core machine.
    for (let i = 0; i < 3; i++) await cluster.add();
    // A claim the dead instances left half-done is taken over after its 30 s lease.
    await waitFor('a daily reading for everyone', () => everyoneHasOne('daily_reading', ids), 120_000, 200);
    await marker(cluster.instances[cluster.instances.length - 1]);
    const counts = await stored('daily_reading', ids);
    expect(ids.map((id) => counts.get(id))).toEqual(ids.map(() => 1));
    process.stdout.write(`restart: ${atKill} of ${BATCH} stored before the kill, all ${BATCH} once after\n`);
  }, 300_000);
});
