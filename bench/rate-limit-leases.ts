/**
 * The per-user rate limit on Redis, before (one @nest-lab/throttler-storage-redis script per
 * frame) and after (leases), in the same run against the same redis-server of its own:
 * USERS users each spend SPENDS units one after another (as one socket's frames are
 * answered), all users at once, limit 300/min. Prints spends/s and Redis scripts per spend.
 *   npx tsx bench/rate-limit-leases.ts
 */
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Redis } from 'ioredis';
import { createRootLogger, LoggerFactory } from '@numerai/logging';
import { LeasedBudget, RedisLeaseStore } from '@numerai/rate-limit';
import { RedisServer } from '../test/scale-out/support/cluster';

const USERS = 200;
const SPENDS = 120;
const LIMIT = 300;
const WINDOW_MS = 60_000;

async function scripts(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats');
  return [...stats.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

async function measure(redis: Redis, name: string, spend: (key: string) => Promise<unknown>) {
  const before = await scripts(redis);
  const redisCpu = await redisCpuSeconds(redis);
  const nodeCpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: USERS }, async (_, user) => {
      for (let i = 0; i < SPENDS; i++) await spend(`user:user:${name}-${user}`);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const total = USERS * SPENDS;
  const { user, system } = process.cpuUsage(nodeCpu);
  const calls = (await scripts(redis)) - before;
  return {
    name,
    spendsPerSecond: Math.round(total / seconds),
    scriptsPerSpend: +(calls / total).toFixed(3),
    redisCpuMsPer1kSpends: +((((await redisCpuSeconds(redis)) - redisCpu) * 1e6) / total).toFixed(1),
    nodeCpuMsPer1kSpends: +((user + system) / total).toFixed(1),
  };
}

async function main() {
  const server = await RedisServer.start();
  const redis = new Redis(server.url);
  try {
    const perHit = new ThrottlerStorageRedisService(redis);
    const leases = new LeasedBudget(
      new RedisLeaseStore(redis, 'bench'),
      new LoggerFactory(createRootLogger('warn')).forContext('RateLimit'),
    );
    const rows = [];
    for (let round = 0; round < 2; round++) {
      rows.push(
        await measure(redis, `per-hit-${round}`, (key) => perHit.increment(key, WINDOW_MS, LIMIT, WINDOW_MS, 'user')),
      );
      rows.push(await measure(redis, `leases-${round}`, (key) => leases.spend(key, LIMIT, WINDOW_MS)));
    }
    console.table(rows);
    await leases.releaseAll();
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

void main();
