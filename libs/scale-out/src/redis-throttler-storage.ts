import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Injectable, Logger } from '@nestjs/common';
import { Cluster } from 'ioredis';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { AppConfig } from '@numerai/config';
import { WindowCounterStorage } from '@numerai/rate-limit';
import { RedisClients } from './redis-clients';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The throttler's counters in Redis, so the per-user budget (REST requests and WebSocket
 * frames alike, through RequestBudget) is one budget on every instance. The counting is
 * @nest-lab/throttler-storage-redis (one atomic Lua script per hit); this adds the key
 * prefix and an outage policy: while Redis is away, or a call fails or times out, the
 * hit is counted in this instance's memory instead, so limits stay enforced per instance
 * and nothing waits on Redis.
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private readonly shared: ThrottlerStorageRedisService;
  /** The embedded default's own counters, used while Redis is away. */
  private readonly local = new WindowCounterStorage();
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisClients,
    config: AppConfig,
  ) {
    // Given a client, the package neither creates nor closes connections of its own.
    const client = redis.commands;
    this.shared =
      client instanceof Cluster ? new ThrottlerStorageRedisService(client) : new ThrottlerStorageRedisService(client);
    this.prefix = `${config.redisKeyPrefix}:rl:`;
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
        return await this.shared.increment(this.prefix + key, ttl, limit, blockDuration, throttlerName);
      } catch (error) {
        this.logger.debug(`rate limit counted locally: ${String(error)}`);
      }
    }
    return this.local.increment(`${throttlerName}:${key}`, ttl, limit, blockDuration);
  }
}
