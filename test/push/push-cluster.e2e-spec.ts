import { createECDH } from 'node:crypto';
import { Cluster, describeScaleOut, Instance, waitFor } from '../scale-out/support/cluster';
import { createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { connect, TestSocket } from '../support/ws-client';
import { LOCAL_PUSH_SERVICE_ENV, PushService } from './support/push-service';

/**
 * Web Push on three instances (separate processes) sharing PostgreSQL and Redis, with the
 * VAPID pair from the environment: every notification reaches every subscription exactly
 * once however the instances' sweeps and wake-ups overlap, and a notifications socket open
 * on one instance stops the push that another instance would send.
 */
describeScaleOut('Web Push on three instances', () => {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const vapidPublicKey = ecdh.getPublicKey().toString('base64url');
  let cluster: Cluster;
  let instances: Instance[];
  let pushService: PushService;
  let admin: TestUser;
  const sockets: TestSocket[] = [];

  const subscribe = async (on: Instance, name: string): Promise<TestUser> => {
    const user = await createUser(on);
    const res = await http(on.httpUrl, 'POST', '/api/push/subscriptions', {
      token: user.token,
      body: pushService.subscription(name),
    });
    if (res.status !== 201) throw new Error(`subscribe: ${res.status} ${JSON.stringify(res.body)}`);
    return user;
  };
  const notify = async (on: Instance, user: TestUser, title: string): Promise<string> => {
    const res = await http(on.httpUrl, 'POST', '/api/admin/notifications', {
      token: admin.token,
      body: { user_id: user.id, title, message: `${title}!`, notification_type: 'announcement' },
    });
    if (res.status !== 201) throw new Error(`notify: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  const queued = async (user: TestUser) =>
    Number(
      (await cluster.rows<{ n: string }>('SELECT COUNT(*) AS n FROM push_deliveries WHERE user_id = $1', [user.id]))[0]
        .n,
    );
  const deliveredIds = (name: string) => pushService.delivered(name).map((payload) => payload.notification_id);

  beforeAll(async () => {
    cluster = await Cluster.start(3, {
      ...LOCAL_PUSH_SERVICE_ENV,
      PUSH_GRACE_MS: '500',
      SCHEDULER_TICK_MS: '200',
      VAPID_PUBLIC_KEY: vapidPublicKey,
      VAPID_PRIVATE_KEY: ecdh.getPrivateKey().toString('base64url'),
      VAPID_SUBJECT: 'mailto:ops@example.test',
    });
    instances = cluster.instances;
    pushService = await PushService.start(vapidPublicKey);
    const user = await createUser(instances[0], { name: 'Admin' });
    await cluster.sql(`UPDATE users SET role = 'admin' WHERE id = $1`, [user.id]);
    admin = { ...user, role: 'admin' };
  }, 180_000);

  afterAll(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
    await pushService?.close();
    await cluster?.stopAndCheck();
    expect(pushService?.problems ?? []).toEqual([]);
  }, 60_000);

  it('publishes the configured VAPID key on every instance', async () => {
    for (const instance of instances) {
      const res = await http(instance.httpUrl, 'GET', '/api/push/vapid-public-key');
      expect(res.body).toEqual({ public_key: vapidPublicKey });
    }
  });

  it('pushes every notification exactly once, created on any instance', async () => {
    const users = await Promise.all(instances.map((on, i) => subscribe(on, `cluster-${i}`)));
    // All at once, from every instance: the three instances' wake-ups and the scheduler's ticks overlap.
    const created = await Promise.all(
      Array.from({ length: 24 }, async (_, n) => ({
        name: `cluster-${n % users.length}`,
        id: await notify(instances[(n + 1) % instances.length], users[n % users.length], `News ${n}`),
      })),
    );
    const expected = new Map<string, string[]>();
    for (const { name, id } of created) expected.set(name, [...(expected.get(name) ?? []), id]);
    await waitFor(
      'every push',
      () => [...expected].every(([name, ids]) => ids.every((id) => deliveredIds(name).includes(id))),
      60_000,
      100,
    );
    // A marker pushed after all of them: any second copy would have been sent by now.
    const marker = await notify(instances[2], users[0], 'Marker');
    await waitFor('the marker push', () => deliveredIds('cluster-0').includes(marker), 30_000, 100);
    for (const [name, ids] of expected) {
      expect([...deliveredIds(name)].sort()).toEqual([...ids, ...(name === 'cluster-0' ? [marker] : [])].sort());
    }
    for (const user of users) expect(await queued(user)).toBe(0);
  }, 120_000);

  it('does not push to a user whose notifications socket is open on another instance', async () => {
    const [A, B, C] = instances;
    const online = await subscribe(B, 'cluster-online');
    const away = await subscribe(C, 'cluster-away');
    const socket = await connect(`${C.wsUrl}/ws/notifications/`, { token: online.token });
    sockets.push(socket);
    await socket.next('unread_count');
    // One broadcast from A: both pushes are queued by one statement, so once the away user's
    // has arrived, the online user's was queued too and is decided when its row is gone.
    const res = await http(A.httpUrl, 'POST', '/api/admin/notifications/broadcast', {
      token: admin.token,
      body: { user_ids: [online.id, away.id], title: 'To both', message: 'hello', notification_type: 'announcement' },
    });
    expect(res.status).toBe(201);
    expect((await socket.next('notification')).data.title).toBe('To both');
    await waitFor('the away user’s push', () => deliveredIds('cluster-away').length === 1, 30_000, 100);
    await waitFor('the online user’s push decided', async () => (await queued(online)) === 0, 30_000, 100);
    expect(deliveredIds('cluster-online')).toEqual([]);
  }, 60_000);
});
