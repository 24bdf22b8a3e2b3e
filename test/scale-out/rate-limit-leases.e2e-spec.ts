import { Cluster as RedisClusterClient, Redis } from 'ioredis';
import { budgetKey, RedisLeaseStore, USER_BUDGET, userTracker } from '@numerai/rate-limit';
import { createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import type { TestSocket } from '../support/ws-client';
import { openNotifications, openPresence } from '../ws/helpers';
import { Cluster, describeScaleOut, Instance, waitFor } from './support/cluster';

const LIMIT = 300;

/** The cluster's masters, once the client knows the slot map. */
async function clusterMasters(client: RedisClusterClient): Promise<Redis[]> {
  await waitFor('the cluster client to be ready', () => client.status === 'ready');
  return client.nodes('master');
}
/** Long enough that no window rolls over while the suite runs, however slow the machine. */
const WINDOW_MS = 600_000;
/** Units taken ahead of demand per instance (MAX_LEASE): idle leases can refuse at most this many early each. */
const MAX_LEASE = 8;
/** Documented slack above the limit while Redis is up: none (see README, "Rate limits across instances"). */
const SLACK = 0;

/**
 * Issue 14: one per-user budget across three instances, REST and WebSocket frames alike,
 * spent from small leases of the user's window in Redis instead of one Redis round trip per
 * frame. The flood counts what was accepted (pongs and HTTP 200) against the limit; the
 * second test counts the rate-limit scripts Redis ran (MONITOR) against the frames sent.
 */
describeScaleOut('scale-out: rate limit from leases', () => {
  let cluster: Cluster;
  let instances: Instance[];
  /** The test's own client of the single Redis or of the cluster; its node connections serve MONITOR and ECHO. */
  let probe: Redis | RedisClusterClient | undefined;
  const watchers: Redis[] = [];
  const sockets: TestSocket[] = [];

  const kept = <T extends { socket: TestSocket }>(opened: T) => {
    sockets.push(opened.socket);
    return opened.socket;
  };
  /** Answers to pings: a pong, or an error (rate_limited); anything else is not an answer. */
  const answers = (socket: TestSocket) =>
    socket.frames.filter((frame) => frame.type === 'pong' || frame.type === 'error');

  const unreadCount = (instance: Instance, user: TestUser) =>
    http(instance.httpUrl, 'GET', '/api/notifications/unread-count', { token: user.token });
  /** Two sockets per instance (notifications and presence): one user's tabs spread over the cluster. */
  const spread = async (over: Instance[], user: TestUser) =>
    (
      await Promise.all(
        over.map(async (instance) => [
          kept(await openNotifications(instance, user)),
          kept(await openPresence(instance, user)),
        ]),
      )
    ).flat();
  /** `pings` pings on every socket at once, then an answer to each: the pongs are what was accepted. */
  const flood = async (all: TestSocket[], pings: number) => {
    for (let i = 0; i < pings; i++) for (const socket of all) socket.send({ type: 'ping' });
    await waitFor('an answer to every ping', () => all.every((socket) => answers(socket).length === pings), 60_000);
    const frames = all.flatMap(answers);
    const refused = frames.filter((frame) => frame.type === 'error');
    expect(refused.every((frame) => (frame as { code: string }).code === 'rate_limited')).toBe(true);
    return { pongs: frames.length - refused.length, refused: refused.length };
  };
  /** Units Redis counts as handed out in the user's current window (spent or held by an instance). */
  const handedOut = async (user: TestUser) => {
    const redis = cluster.redis.client();
    try {
      const key = new RedisLeaseStore(redis, cluster.env.REDIS_KEY_PREFIX).keyOf(
        budgetKey(USER_BUDGET, userTracker(user.id)),
      );
      return Number(await redis.hget(key, 'used'));
    } finally {
      redis.disconnect();
    }
  };
  /** Ten pings one at a time on `instance`: it takes units ahead of demand, which it then holds. */
  const spendTenOn = async (instance: Instance, user: TestUser) => {
    const socket = kept(await openNotifications(instance, user));
    for (let i = 0; i < 10; i++) {
      socket.send({ type: 'ping' });
      await socket.next('pong');
    }
    const held = (await handedOut(user)) - 10;
    expect(held).toBeGreaterThan(0);
    return held;
  };

  beforeAll(async () => {
    cluster = await Cluster.start(3, {
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
    });
    // A copy: the stop and kill tests add instances of their own (and end them), in any order.
    instances = cluster.instances.slice();
  }, 180_000);

  afterEach(async () => {
    for (const client of [probe, ...watchers.splice(0)]) client?.disconnect();
    probe = undefined;
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  });

  afterAll(() => cluster?.stopAndCheck(), 60_000);

  it('one user floods pings and REST calls over three instances: accepted stays within the limit', async () => {
    const user = await createUser(instances[0]);
    const PINGS = 80; // per socket: fewer refusals in a row than the 100 that close a socket with 4429
    const REST = 20; // per instance
    const all = await spread(instances, user);
    // Part of the budget over REST first, so both paths demonstrably spend from the one budget.
    const early = await Promise.all(
      instances.flatMap((instance) => Array.from({ length: REST }, () => unreadCount(instance, user))),
    );
    expect(early.map((res) => res.status)).toEqual(early.map(() => 200));
    const rest = Promise.all(
      instances.flatMap((instance) => Array.from({ length: REST }, () => unreadCount(instance, user))),
    );
    const { pongs, refused } = await flood(all, PINGS);
    const statuses = (await rest).map((res) => res.status);

    const ok = early.length + statuses.filter((status) => status === 200).length;
    const accepted = pongs + ok;
    const offered = all.length * PINGS + early.length + statuses.length;
    process.stdout.write(
      `rate-limit leases: ${offered} offered over 3 instances, accepted ${accepted} (${pongs} pongs + ${ok} HTTP 200), limit ${LIMIT}\n`,
    );
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
    expect(accepted).toBeLessThanOrEqual(LIMIT + SLACK);
    expect(accepted).toBeGreaterThanOrEqual(LIMIT - (instances.length - 1) * MAX_LEASE);
    expect(refused + statuses.filter((status) => status === 429).length).toBe(offered - accepted);
    // Spent everywhere: the next request on any instance is refused too.
    for (const instance of instances) {
      const res = await http(instance.httpUrl, 'GET', '/api/notifications/unread-count', { token: user.token });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('frames one at a time on three instances: a handful of Redis round trips, not one per frame', async () => {
    const user = await createUser(instances[0]);
    const sockets3 = await Promise.all(
      instances.map(async (instance) => kept(await openNotifications(instance, user))),
    );
    // MONITOR shows every command Redis runs; the rate-limit scripts are the ones naming a `{rl:` key.
    // MONITOR is per node: on a cluster every master is watched (the user's key lives on one of them).
    const client = cluster.redis.client();
    probe = client;
    const nodes = client instanceof RedisClusterClient ? await clusterMasters(client) : [client];
    const scripts: string[][] = [];
    const echoed = nodes.map(() => new Set<string>());
    for (const [i, node] of nodes.entries()) {
      // Each MONITOR connection is a new one of its own: afterEach closes it with the others.
      const watching = await node.monitor();
      watchers.push(watching);
      watching.on('monitor', (_time: string, args: string[]) => {
        if (/^echo$/i.test(args[0] ?? '')) echoed[i].add(args[1]);
        if (/^eval(sha)?$/i.test(args[0] ?? '') && args.some((arg) => arg.includes('{rl:'))) scripts.push(args);
      });
    }
    /** A marker every node's MONITOR shows: everything each node ran before it has been shown too. */
    const mark = (marker: string) =>
      waitFor(`MONITOR to show ${marker}`, async () => {
        await Promise.all(nodes.map((node) => node.echo(marker)));
        return echoed.every((seen) => seen.has(marker));
      });
    await mark('before');

    const K = 40; // per socket, one at a time: each waits for its pong (no frames to batch)
    for (let i = 0; i < K; i++) {
      for (const socket of sockets3) {
        socket.send({ type: 'ping' });
        await socket.next('pong');
      }
    }
    await mark('after');
    const frames = K * sockets3.length;
    process.stdout.write(`rate-limit leases: ${frames} frames, ${scripts.length} rate-limit scripts in Redis\n`);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.length).toBeLessThanOrEqual(frames / 5);
  });

  it('an instance stopped (SIGTERM) gives its lease back: the others get exactly the rest of the budget', async () => {
    const user = await createUser(instances[0]);
    const leaving = await cluster.add();
    await spendTenOn(leaving, user);
    await leaving.stop();
    expect(await handedOut(user)).toBe(10);
    const { pongs } = await flood(await spread(instances.slice(0, 3), user), 80);
    process.stdout.write(`rate-limit leases: after a graceful stop, ${pongs} of the ${LIMIT - 10} left accepted\n`);
    expect(pongs).toBeLessThanOrEqual(LIMIT - 10 + SLACK);
    expect(pongs).toBeGreaterThanOrEqual(LIMIT - 10 - 2 * MAX_LEASE);
  });

  it('an instance killed (SIGKILL) holding a lease: the budget gets smaller, never larger', async () => {
    const user = await createUser(instances[0]);
    const dying = await cluster.add();
    const lost = await spendTenOn(dying, user);
    dying.kill('SIGKILL');
    await dying.exited;
    const { pongs } = await flood(await spread(instances.slice(0, 3), user), 80);
    process.stdout.write(
      `rate-limit leases: after a SIGKILL holding ${lost}, ${pongs} accepted (limit ${LIMIT}, 10 spent)\n`,
    );
    expect(10 + pongs).toBeLessThanOrEqual(LIMIT - lost + SLACK);
    expect(10 + pongs).toBeGreaterThanOrEqual(LIMIT - lost - 2 * MAX_LEASE);
  });
});
