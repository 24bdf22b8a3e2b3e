import { createUser } from '../support/factories';
import { http } from '../support/http';
import { Cluster, describeScaleOut, Instance, testClientsClosedAfterEach, waitFor } from './support/cluster';

/**
 * Pub/sub is at-most-once: an `unread_count` announced while Redis was away can be lost for
 * good (here: the instance holding it dies before Redis is back). The count is a plain value
 * with no position to catch up from, so an instance whose event subscription is ready again
 * re-reads it for every user with a notifications socket here and sends it.
 */
describeScaleOut('scale-out: unread counts after a Redis outage', () => {
  let cluster: Cluster;
  let A: Instance;
  const on = testClientsClosedAfterEach();

  beforeAll(async () => {
    cluster = await Cluster.start(1);
    [A] = cluster.instances;
  }, 180_000);

  afterAll(() => cluster?.stop(), 60_000);

  it('a count changed on another instance while Redis was away is announced once Redis is back', async () => {
    // B is the suite's own to kill: the count it announces during the outage dies with it.
    const B = await cluster.add();
    const admin = await cluster.createAdmin(A);
    const user = await createUser(A);
    const created = await http(A.httpUrl, 'POST', '/api/admin/notifications', {
      token: admin.token,
      body: { user_id: user.id, title: 'Hello', message: 'm', notification_type: 'system' },
    });
    expect(created.status).toBe(201);
    // Two tabs of one user on A, and another user's tab whose count did not change.
    const tab = await on(A).notifications(user);
    const secondTab = await on(A).notifications(user);
    const bystander = await on(A).notifications(admin);
    expect(await tab.next('unread_count')).toEqual({ type: 'unread_count', count: 1 });
    expect(await secondTab.next('unread_count')).toEqual({ type: 'unread_count', count: 1 });
    expect(await bystander.next('unread_count')).toEqual({ type: 'unread_count', count: 0 });

    await cluster.redis.stop();
    for (const instance of [A, B]) {
      await waitFor(`${instance.name} to report redis down`, async () => {
        return (await instance.health()).body.checks.redis === 'down';
      });
    }
    const read = await http(B.httpUrl, 'POST', `/api/notifications/${created.body.id}/read`, { token: user.token });
    expect(read.status).toBe(200);
    expect(read.body.is_read).toBe(true);
    // B held the announcement for Redis; it is gone with B.
    B.kill('SIGKILL');
    await B.exited;

    await cluster.redis.restart();
    // A Redis Cluster can take tens of seconds before the client has its slots again (the
    // nemesis saw 7–46 s); the recount follows the subscriber being ready, so wait for that.
    await waitFor('A to report redis up', async () => (await A.health()).body.checks.redis === 'up', 60_000);
    expect(await tab.next('unread_count', 20_000)).toEqual({ type: 'unread_count', count: 0 });
    expect(await secondTab.next('unread_count', 10_000)).toEqual({ type: 'unread_count', count: 0 });
    expect(await bystander.next('unread_count', 10_000)).toEqual({ type: 'unread_count', count: 0 });
    const unread = await http(A.httpUrl, 'GET', '/api/notifications/unread-count', { token: user.token });
    expect(unread.body).toEqual({ count: 0 });
    expect(A.problems()).toEqual([]);
  }, 150_000);
});
