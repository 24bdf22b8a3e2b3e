import { DynamicModule, ExecutionContext, Global, Module } from '@nestjs/common';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import { AppConfig } from '@numerai/config';
import { AUTH_ATTEMPT_ROUTES, AUTH_ATTEMPTS, USER_BUDGET } from './rate-limit.constants';
import { RequestBudget } from './request-budget';
import { WindowCounterStorage } from './window-counter.storage';

export interface RateLimitModuleOptions {
  /** Where counters live; omitted → in-process memory. A shared store makes the budget cluster-wide. */
  storage?: { inject?: unknown[]; useFactory: (...deps: unknown[]) => ThrottlerStorage | Promise<ThrottlerStorage> };
  imports?: DynamicModule['imports'];
}

/**
 * Registers the throttler with two budgets and exposes RequestBudget for WebSocket frames.
 * The app registers UserThrottlerGuard as a global guard after the auth guard, so it sees the principal.
 */
@Global()
@Module({})
export class RateLimitModule {
  static forRoot(options: RateLimitModuleOptions = {}): DynamicModule {
    const throttler = ThrottlerModule.forRootAsync({
      imports: options.imports ?? [],
      inject: [AppConfig, ...((options.storage?.inject as never[]) ?? [])],
      useFactory: async (config: AppConfig, ...deps: unknown[]) => ({
        storage: options.storage ? await options.storage.useFactory(...deps) : new WindowCounterStorage(),
        throttlers: [
          {
            name: USER_BUDGET,
            ttl: config.rateLimit.windowMs,
            limit: config.rateLimit.perMinute,
            skipIf: (context) => isAuthAttemptRoute(context),
          },
          {
            name: AUTH_ATTEMPTS,
            ttl: config.rateLimit.windowMs,
            limit: config.rateLimit.authPerMinute,
            skipIf: (context) => !isAuthAttemptRoute(context),
          },
        ],
      }),
    });
    return {
      module: RateLimitModule,
      imports: [throttler],
      providers: [RequestBudget],
      exports: [RequestBudget, throttler],
    };
  }
}

/** The handler's own AUTH_ATTEMPT_ROUTES first (refresh opts out), then its controller's. */
function isAuthAttemptRoute(context: ExecutionContext): boolean {
  const own = Reflect.getMetadata(AUTH_ATTEMPT_ROUTES, context.getHandler()) as boolean | undefined;
  return (own ?? Reflect.getMetadata(AUTH_ATTEMPT_ROUTES, context.getClass())) === true;
}
