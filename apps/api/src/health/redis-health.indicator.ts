import type { RedisClients } from '@numerai/scale-out';
import { HealthIndicator, HealthState } from './health-indicators';

/** `redis: "up" | "down"` on /health (503 when down) whenever REDIS_URL is set. */
export class RedisHealthIndicator extends HealthIndicator {
  readonly name = 'redis';

  constructor(private readonly redis: RedisClients) {
    super();
  }

  async check(): Promise<HealthState> {
    return (await this.redis.ping()) ? 'up' : 'down';
  }
}
