import { Global, Module } from '@nestjs/common';
import { RedisClients } from './redis-clients';
import { RedisThrottlerStorage } from './redis-throttler-storage';

/**
 * The shared Redis connections and the Redis throttler storage. The Redis EventBus,
 * ConnectionDirectory and PresenceStore are not provided here: apps/api/src/infrastructure.ts
 * hands their classes to the modules that own the abstract tokens, and they find
 * RedisClients through this global module.
 */
@Global()
@Module({
  providers: [RedisClients, RedisThrottlerStorage],
  exports: [RedisClients, RedisThrottlerStorage],
})
export class ScaleOutModule {}
