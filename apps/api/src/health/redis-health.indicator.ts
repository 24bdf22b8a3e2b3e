import type { RedisClients } from '@numerai/scale-out';
import { HealthIndicator, HealthState } from './health-indicators';

/**
 * `redis: "up" | "down"` on /health (503 when down) whenever REDIS_URL is set. Up means both
 * connections: an instance whose subscriber is still reconnecting answers commands but misses
 * other instances' events, so it is not healthy yet.
 */
export class RedisHealthIndicator extends HealthIndicator {
  readonly name = 'redis';

  constructor(private readonly redis: RedisClients) {
    super();
  }

  async check(): Promise<HealthState> {
    return this.redis.isUp && (await this.redis.ping()) ? 'up' : 'down';
  }
}
