export * from './budget-lease-store';
export * from './leased-budget';
export * from './rate-limit.constants';
export * from './rate-limit.module';
export * from './redis-lease-store';
export * from './request-budget';
export * from './user-throttler.guard';
export * from './window-counter.storage';
