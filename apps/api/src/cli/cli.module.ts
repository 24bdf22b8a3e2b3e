import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuthModule } from '@numerai/auth';
import { ChatCoreModule } from '@numerai/chat';
import { AppConfig, ConfigModule } from '@numerai/config';
import { ConsultationsModule } from '@numerai/consultations';
import { DatabaseModule } from '@numerai/database';
import { EventsModule } from '@numerai/events';
import { LoggingModule } from '@numerai/logging';
import { UsersModule } from '@numerai/users';
import { SCHEMA } from '../schema';

/**
 * What the ops commands need and nothing more: the services of the running app (so the
 * CLI shares their rules and side effects, such as the chat's lifecycle messages), without
 * HTTP, WebSockets, Redis fan-out or rate limits.
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
        DatabaseModule.forRoot(SCHEMA),
        EventsModule.forRoot(),
        UsersModule,
        AuthModule,
        ConsultationsModule,
        // Its lifecycle messages: a consultation the CLI books and starts gets the chat's system messages.
        ChatCoreModule,
      ],
    };
  }
}
