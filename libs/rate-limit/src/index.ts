export * from './rate-limit.constants';
export * from './rate-limit.module';
export * from './request-budget';
export * from './user-throttler.guard';
export * from './window-counter.storage';
