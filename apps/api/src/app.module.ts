import { DynamicModule, MiddlewareConsumer, Module, ModuleMetadata, NestModule, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { Logger } from 'pino';
import { AccountModule } from '@numerai/account';
import { AuthModule, JwtAuthGuard } from '@numerai/auth';
import { BlocksModule } from '@numerai/blocks';
import { ChatModule } from '@numerai/chat';
import { AppConfig, ConfigModule } from '@numerai/config';
import { ConsultationsModule } from '@numerai/consultations';
import { DatabaseModule } from '@numerai/database';
import { EventsModule } from '@numerai/events';
import { LoggingModule } from '@numerai/logging';
import { MetricsModule } from '@numerai/metrics';
import { NotificationsModule } from '@numerai/notifications';
import { LifecycleModule } from '@numerai/lifecycle';
import { PresenceModule } from '@numerai/presence';
import { PushModule } from '@numerai/push';
import { ReadingsModule } from '@numerai/readings';
import { RemindersModule } from '@numerai/reminders';
import { Clock, SchedulerModule } from '@numerai/scheduler';
import { RateLimitModule, UserThrottlerGuard } from '@numerai/rate-limit';
import { RealtimeModule } from '@numerai/realtime';
import { UsersModule } from '@numerai/users';
import { DemoTopUpModule, WalletModule } from '@numerai/wallet';
import { AvailabilityModule } from '@numerai/availability';
import { LiveSessionsModule } from '@numerai/live-sessions';
import { AsyncApiModule } from './asyncapi/asyncapi.module';
import { DemoModule } from './demo/demo.module';
import { HealthController } from './health/health.controller';
import { EXTRA_HEALTH_INDICATORS, HealthIndicators } from './health/health-indicators';
import { HttpExceptionFilter } from './http/http-exception.filter';
import { RequestLoggerMiddleware } from './http/request-logger.middleware';
import { UndeclaredInputInterceptor } from './http/undeclared-input.interceptor';
import { selectInfrastructure } from './infrastructure';
import { SCHEMA } from './schema';

@Module({})
export class AppModule implements NestModule {
  static forRoot(
    config: AppConfig,
    logger: Logger,
    clock?: Clock,
    extra: ModuleMetadata['imports'] = [],
  ): DynamicModule {
    const infrastructure = selectInfrastructure(config);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger),
        MetricsModule,
        DatabaseModule.forRoot(SCHEMA),
        ...(infrastructure.imports ?? []),
        EventsModule.forRoot(infrastructure.events),
        RateLimitModule.forRoot(infrastructure.rateLimit),
        UsersModule,
        AuthModule,
        AccountModule,
        ConsultationsModule,
        BlocksModule,
        WalletModule,
        RealtimeModule.forRoot(infrastructure.directory),
        ChatModule,
        NotificationsModule,
        PresenceModule.forRoot(infrastructure.presenceStore),
        AvailabilityModule,
        SchedulerModule.forRoot({ engine: infrastructure.scheduler, clock }),
        LiveSessionsModule,
        ReadingsModule,
        RemindersModule,
        LifecycleModule,
        PushModule,
        DemoModule,
        // Never in production: see DEMO_TOP_UPS.
        ...(config.demo.topUps ? [DemoTopUpModule] : []),
        AsyncApiModule,
        ...extra,
      ],
      controllers: [HealthController],
      providers: [
        HealthIndicators,
        { provide: EXTRA_HEALTH_INDICATORS, ...infrastructure.healthIndicators } as Provider,
        // Order matters: the throttler keys by the principal the auth guard attaches.
        { provide: APP_GUARD, useExisting: JwtAuthGuard },
        { provide: APP_GUARD, useClass: UserThrottlerGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: UndeclaredInputInterceptor },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestLoggerMiddleware).forRoutes('*path');
  }
}
