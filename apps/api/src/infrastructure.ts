import type { DynamicModule, Provider } from '@nestjs/common';
import type { AppConfig } from '@numerai/config';
import { DomainEventMap, DomainEventName, InProcessEventBus } from '@numerai/events';
import { realtimeMetrics } from '@numerai/metrics';
import { InProcessPresenceStore, RedisPresenceStore } from '@numerai/presence';
import type { RateLimitModuleOptions } from '@numerai/rate-limit';
import { InProcessConnectionDirectory } from '@numerai/realtime';
import {
  RedisClients,
  RedisConnectionDirectory,
  RedisEventBus,
  RedisThrottlerStorage,
  ScaleOutModule,
} from '@numerai/scale-out';
import type { HealthIndicator } from './health/health-indicators';
import { RedisHealthIndicator } from './health/redis-health.indicator';

type Implementation = Omit<Provider, 'provide'>;

/**
 * The one place that decides what runs in-process (embedded default) and what runs on
 * shared engines when REDIS_URL is set. Features only see the abstract classes.
 */
export interface Infrastructure {
  imports: DynamicModule['imports'];
  events: Implementation;
  directory: Implementation;
  presenceStore: Implementation;
  rateLimit: RateLimitModuleOptions;
  /** Providers of HealthIndicator[] under EXTRA_HEALTH_INDICATORS. */
  healthIndicators: Implementation;
  /** What runs scheduled jobs: BullMQ (one instance per tick) or timers in this process. */
  scheduler: 'bullmq' | 'in-process';
}

/** The in-process bus, timing each publish (its local fan-out) for numerai_fanout_delay_seconds. */
class MeteredInProcessEventBus extends InProcessEventBus {
  override publish<K extends DomainEventName>(name: K, payload: DomainEventMap[K]): void {
    const started = performance.now();
    super.publish(name, payload);
    realtimeMetrics.fanoutDelay(performance.now() - started, 'local');
  }
}

export function selectInfrastructure(config: AppConfig): Infrastructure {
  if (!config.redisUrl && !config.redisClusterNodes) {
    return {
      imports: [],
      events: { useClass: MeteredInProcessEventBus },
      directory: { useClass: InProcessConnectionDirectory },
      presenceStore: { useClass: InProcessPresenceStore },
      rateLimit: {},
      healthIndicators: { useValue: [] },
      scheduler: 'in-process',
    };
  }
  // Scale-out: fan-out over Redis pub/sub, presence and rate-limit counters in Redis.
  // Each falls back to this instance's own view while Redis is unreachable.
  return {
    imports: [ScaleOutModule],
    events: { useClass: RedisEventBus },
    directory: { useClass: RedisConnectionDirectory },
    presenceStore: { useClass: RedisPresenceStore },
    rateLimit: {
      storage: { inject: [RedisThrottlerStorage], useFactory: (storage) => storage as RedisThrottlerStorage },
    },
    healthIndicators: {
      inject: [RedisClients],
      useFactory: (redis: RedisClients): HealthIndicator[] => [new RedisHealthIndicator(redis)],
    },
    scheduler: 'bullmq',
  };
}
