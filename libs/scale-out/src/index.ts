export * from './channel-subscriptions';
export * from './presence-scripts';
export * from './redis-clients';
export * from './redis-connection-directory';
export * from './redis-event-bus';
export * from './redis-throttler-storage';
export * from './scale-out.module';
