import type { ServerFrame } from '@numerai/protocol';
import { createUser } from '../support/factories';
import { http } from '../support/http';
import { Cluster, describeScaleOut, testClientsClosedAfterEach, waitFor } from './support/cluster';

/**
 * An unread count is a plain value computed where the change happened, and counts from two
 * instances can arrive in either order. The nemesis found the stale one winning (seed 20261207):
 * an instance cut off from Redis holds the count of a notification it stored, the user reads
 * everything on another instance (count 0), and when the link is back the held count (1)
 * arrives last — the tab shows 1 while the database holds 0, until the next change. Whatever
 * the order, the last count a tab is sent must be the database's.
 */
describeScaleOut('scale-out: unread counts that arrive out of order', () => {
  let cluster: Cluster;
  const on = testClientsClosedAfterEach();

  beforeAll(async () => {
    cluster = await Cluster.start(1);
  }, 180_000);

  afterAll(() => cluster?.stopAndCheck({ noneDied: true }), 60_000);

  it('a count held during a Redis partition and delivered after a newer one is corrected to the database’s', async () => {
    const [A] = cluster.instances;
    const { instance: B, redisLinks } = await cluster.addBehindRedisProxies();
    const user = await createUser(A);
    const admin = await cluster.createAdmin(A);
    const tab = await on(A).notifications(user);
    expect(await tab.next('unread_count')).toEqual({ type: 'unread_count', count: 0 });

    // B alone loses Redis: its links are cut and their connections reset.
    for (const link of redisLinks) {
      link.partition('both');
      link.reset();
    }
    await waitFor('B to report Redis down', async () => (await B.health()).body.checks?.redis === 'down', 15_000);

    // B stores a notification; its event (with count 1) waits for Redis.
    const sent = await http(B.httpUrl, 'POST', '/api/admin/notifications', {
      token: admin.token,
      body: { user_id: user.id, title: 'Hello', message: 'From B', notification_type: 'system' },
    });
    expect(sent.status).toBe(201);
    // The user reads everything on A: the database holds 0, and A's tab is told so.
    const read = await http(A.httpUrl, 'POST', '/api/notifications/read-all', { token: user.token });
    expect(read.body).toEqual({ count: 1 });
    await waitFor('the tab to hear the read', () => countsAfter(tab.socket.frames, -1).length >= 2);

    // B's link is back: its held notification and stale count reach the tab after the newer 0.
    for (const link of redisLinks) link.heal();
    await waitFor(
      'the notification stored on B to reach the tab',
      () => tab.socket.all('notification').length === 1,
      15_000,
    );
    const arrivedAt = tab.socket.frames.findIndex((frame) => frame.type === 'notification');
    await waitFor('the stale count that came with it', () => countsAfter(tab.socket.frames, arrivedAt).includes(1));

    // Then the database's count, without any further change.
    await waitFor(
      'the tab to show the database’s count again',
      () => countsAfter(tab.socket.frames, arrivedAt).at(-1) === 0,
    );
    const unread = await http(A.httpUrl, 'GET', '/api/notifications/unread-count', { token: user.token });
    expect(unread.body).toEqual({ count: 0 });
  }, 90_000);
});

/** The unread counts a socket was sent after frame `index`, in order. */
function countsAfter(frames: ServerFrame[], index: number): number[] {
  return frames.slice(index + 1).flatMap((frame) => (frame.type === 'unread_count' ? [frame.count] : []));
}
