import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuthModule } from '@numerai/auth';
import { AppConfig, ConfigModule } from '@numerai/config';
import { ConsultationsModule } from '@numerai/consultations';
import { DatabaseModule } from '@numerai/database';
import { EventsModule } from '@numerai/events';
import { LoggingModule } from '@numerai/logging';
import { UsersModule } from '@numerai/users';

/**
 * What the ops commands need and nothing more: the services of the running app (so the
 * CLI shares their rules), without HTTP, WebSockets, Redis fan-out or rate limits.
 * The database is migrated when the context starts, as the app does.
 */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger),
        DatabaseModule,
        EventsModule.forRoot(),
        UsersModule,
        AuthModule,
        ConsultationsModule,
      ],
    };
  }
}
