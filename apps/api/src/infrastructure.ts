import type { DynamicModule, Provider } from '@nestjs/common';
import type { AppConfig } from '@numerai/config';
import { InProcessEventBus } from '@numerai/events';
import { InProcessPresenceStore } from '@numerai/presence';
import type { RateLimitModuleOptions } from '@numerai/rate-limit';
import { InProcessConnectionDirectory } from '@numerai/realtime';

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
}

export function selectInfrastructure(_config: AppConfig): Infrastructure {
  return {
    imports: [],
    events: { useClass: InProcessEventBus },
    directory: { useClass: InProcessConnectionDirectory },
    presenceStore: { useClass: InProcessPresenceStore },
    rateLimit: {},
    healthIndicators: { useValue: [] },
  };
}
