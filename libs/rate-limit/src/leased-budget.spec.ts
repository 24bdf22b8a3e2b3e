import { Redis } from 'ioredis';
import { captureLogs } from '@numerai/logging';
// The multi-instance suites' own redis-server (a free port, no persistence): its command counts are this suite's alone.
import { RedisServer } from '../../../test/scale-out/support/cluster';
import { LEASE_IDLE_MS, LeaseDecision, LeasedBudget, MAX_LEASE } from './leased-budget';
import { RedisLeaseStore } from './redis-lease-store';

const LIMIT = 60;
const WINDOW_MS = 60_000;
const KEY = 'user:user:1';

describe('LeasedBudget on Redis', () => {
  let redis: Redis;
  let server: RedisServer;
  let prefix = '';
  let run = 0;
  const budgets: LeasedBudget[] = [];
  const logger = captureLogs().loggers.forContext('RateLimit');

  const budget = () => {
    const instance = new LeasedBudget(new RedisLeaseStore(redis, prefix), logger);
    budgets.push(instance);
    return instance;
  };
  /** Script calls the server ran so far (EVALSHA, and EVAL when it did not know a script yet). */
  const scriptCalls = async () => {
    const stats = await redis.info('commandstats');
    return [...stats.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  };
  const allowed = (decisions: LeaseDecision[]) => decisions.filter((decision) => decision.allowed).length;

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
    await redis.connect();
  });
  beforeEach(() => {
    prefix = `t${++run}`;
  });
  afterEach(async () => {
    await Promise.all(budgets.splice(0).map((instance) => instance.releaseAll()));
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('spends one at a time from leases: far fewer round trips than spends', async () => {
    const only = budget();
    const before = await scriptCalls();
    const K = 100;
    const decisions: LeaseDecision[] = [];
    for (let i = 0; i < K; i++) decisions.push(await only.spend(KEY, 1000, WINDOW_MS));
    const calls = (await scriptCalls()) - before;
    expect(allowed(decisions)).toBe(K);
    // The first spend has no rate yet (a lease of one); after it each request takes up to MAX_LEASE more.
    expect(calls).toBeLessThanOrEqual(Math.ceil(K / (MAX_LEASE + 1)) + 2);
    expect(Number(await redis.hget(new RedisLeaseStore(redis, prefix).keyOf(KEY), 'used'))).toBe(K + only.held(KEY));
  });

  it('three instances spending in bursts accept exactly the limit, never more', async () => {
    const instances = [budget(), budget(), budget()];
    const decisions: LeaseDecision[] = [];
    for (let round = 0; round < 20; round++) {
      const burst = instances.flatMap((instance) =>
        Array.from({ length: 4 }, () => instance.spend(KEY, LIMIT, WINDOW_MS)),
      );
      decisions.push(...(await Promise.all(burst)));
    }
    expect(decisions).toHaveLength(240);
    expect(allowed(decisions)).toBe(LIMIT);
    const refused = decisions.find((decision) => !decision.allowed) as { retryAfterMs: number };
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(WINDOW_MS);
  });

  it('a refused key is refused locally: no round trip per refused spend', async () => {
    const only = budget();
    await Promise.all(Array.from({ length: LIMIT }, () => only.spend(KEY, LIMIT, WINDOW_MS)));
    expect((await only.spend(KEY, LIMIT, WINDOW_MS)).allowed).toBe(false);
    const before = await scriptCalls();
    const refused = await Promise.all(Array.from({ length: 50 }, () => only.spend(KEY, LIMIT, WINDOW_MS)));
    expect(allowed(refused)).toBe(0);
    expect((await scriptCalls()) - before).toBe(0);
  });

  it('units idle on one instance go back and are spent on another; none twice', async () => {
    const clock = { now: 0 };
    const a = new LeasedBudget(new RedisLeaseStore(redis, prefix), logger, () => clock.now);
    budgets.push(a);
    const b = budget();
    for (let i = 0; i < 10; i++) {
      clock.now += 10;
      expect((await a.spend(KEY, LIMIT, WINDOW_MS)).allowed).toBe(true);
    }
    const heldByA = a.held(KEY);
    expect(heldByA).toBeGreaterThan(0); // taken ahead of demand
    const onB = await Promise.all(Array.from({ length: LIMIT }, () => b.spend(KEY, LIMIT, WINDOW_MS)));
    expect(allowed(onB)).toBe(LIMIT - 10 - heldByA);

    clock.now += LEASE_IDLE_MS;
    await a.releaseIdle();
    expect(a.held(KEY)).toBe(0);
    // B refuses locally for up to a second after its refusal; a fresh instance asks the store at once.
    const c = budget();
    const onC = await Promise.all(Array.from({ length: 20 }, () => c.spend(KEY, LIMIT, WINDOW_MS)));
    expect(allowed(onC)).toBe(heldByA);
  });

  it('an instance that dies holding a lease makes the budget smaller, never larger, until the window ends', async () => {
    const windowMs = 1500;
    const dying = new LeasedBudget(new RedisLeaseStore(redis, prefix), logger); // never releases: it "dies"
    for (let i = 0; i < 5; i++) await dying.spend(KEY, LIMIT, windowMs);
    const lost = dying.held(KEY);
    expect(lost).toBeGreaterThan(0);
    const survivor = budget();
    const first = await Promise.all(Array.from({ length: LIMIT }, () => survivor.spend(KEY, LIMIT, windowMs)));
    expect(allowed(first)).toBe(LIMIT - 5 - lost);
    // The window expires in Redis with everything counted in it; then the whole budget is there again.
    const store = new RedisLeaseStore(redis, prefix);
    for (let i = 0; i < 100 && (await redis.exists(store.keyOf(KEY))); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await redis.exists(store.keyOf(KEY))).toBe(0);
    const fresh = budget();
    const second = await Promise.all(Array.from({ length: LIMIT + 5 }, () => fresh.spend(KEY, LIMIT, windowMs)));
    expect(allowed(second)).toBe(LIMIT);
  });

  it('a return names its window: units of an ended window never credit the next one', async () => {
    const store = new RedisLeaseStore(redis, prefix);
    const first = await store.acquire(KEY, { need: 5, extra: 0, limit: LIMIT, windowMs: WINDOW_MS, reserve: 30 });
    await redis.del(store.keyOf(KEY)); // the window ends
    const second = await store.acquire(KEY, { need: 3, extra: 0, limit: LIMIT, windowMs: WINDOW_MS, reserve: 30 });
    expect(second.windowId).not.toBe(first.windowId);
    await store.release(KEY, first.windowId, 5);
    expect(Number(await redis.hget(store.keyOf(KEY), 'used'))).toBe(3);
    await store.release(KEY, second.windowId, 2);
    expect(Number(await redis.hget(store.keyOf(KEY), 'used'))).toBe(1);
  });

  it('takes units ahead of demand only from the first half of the budget', async () => {
    const store = new RedisLeaseStore(redis, prefix);
    const ask = (need: number) => store.acquire(KEY, { need, extra: 8, limit: 20, windowMs: WINDOW_MS, reserve: 10 });
    expect(await ask(1)).toMatchObject({ granted: 9, left: 11 });
    expect(await ask(1)).toMatchObject({ granted: 1, left: 10 });
    expect(await ask(12)).toMatchObject({ granted: 10, left: 0 });
    expect(await ask(1)).toMatchObject({ granted: 0, left: 0 });
  });

  it('keys live in one hash slot per budget (a Redis Cluster hash tag)', () => {
    expect(new RedisLeaseStore(redis, 'p').keyOf('user:user:42')).toBe('p:{rl:user:user:42}:w');
  });

  it('rejects when Redis does not answer, so the caller counts locally', async () => {
    const gone = new Redis({ port: 1, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false });
    const orphan = new LeasedBudget(new RedisLeaseStore(gone, prefix), logger);
    await expect(orphan.spend(KEY, LIMIT, WINDOW_MS)).rejects.toThrow();
    await orphan.releaseAll();
    gone.disconnect();
  });
});
