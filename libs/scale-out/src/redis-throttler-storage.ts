import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Injectable } from '@nestjs/common';
import { Cluster } from 'ioredis';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { AppConfig } from '@numerai/config';
import { LeaseDecision, LeasedBudget, RedisLeaseStore, USER_BUDGET, WindowCounterStorage } from '@numerai/rate-limit';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { RedisClients } from './redis-clients';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The throttler's counters in Redis, so the per-user budget (REST requests and WebSocket
 * frames alike, through RequestBudget) is one budget on every instance.
 *
 * The per-user budget is spent from leases (LeasedBudget over RedisLeaseStore): this
 * instance holds a few units of a busy user's window and spends them without a round
 * trip. Other budgets (the per-IP credential budget) are counted by
 * @nest-lab/throttler-storage-redis, one atomic script per hit.
 *
 * Outage policy: while Redis is away, or a call fails or times out, the hit is counted in
 * this instance's memory instead, so limits stay enforced per instance and nothing waits
 * on Redis.
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger: ContextLogger;
  private readonly shared: ThrottlerStorageRedisService;
  private readonly leases: LeasedBudget;
  /** The embedded default's own counters, used while Redis is away. */
  private readonly local = new WindowCounterStorage();
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisClients,
    config: AppConfig,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('RateLimit');
    // Given a client, the package neither creates nor closes connections of its own.
    const client = redis.commands;
    this.shared =
      client instanceof Cluster ? new ThrottlerStorageRedisService(client) : new ThrottlerStorageRedisService(client);
    this.prefix = `${config.redisKeyPrefix}:rl:`;
    this.leases = new LeasedBudget(new RedisLeaseStore(redis.commands, config.redisKeyPrefix), this.logger);
    // After the sockets closed, before the connection quits: unspent units go back to the others.
    redis.beforeQuit(() => this.leases.releaseAll());
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (this.redis.canCommand) {
      try {
        if (throttlerName === USER_BUDGET) return toRecord(await this.leases.spend(key, limit, ttl), limit);
        return await this.shared.increment(this.prefix + key, ttl, limit, blockDuration, throttlerName);
      } catch (error) {
        this.logger.debug(`rate limit counted locally: ${String(error)}`);
      }
    }
    return this.local.increment(`${throttlerName}:${key}`, ttl, limit, blockDuration);
  }
}

/** A lease answer as the throttler guard reads it (seconds, as the stock storages give them). */
function toRecord(decision: LeaseDecision, limit: number): ThrottlerStorageRecord {
  if (decision.allowed) {
    return {
      totalHits: Math.max(0, limit - decision.remaining),
      timeToExpire: Math.ceil(decision.resetMs / 1000),
      isBlocked: false,
      timeToBlockExpire: 0,
    };
  }
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  return { totalHits: limit + 1, timeToExpire: seconds, isBlocked: true, timeToBlockExpire: seconds };
}
