import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { LoggerFactory } from './logger-factory';
import { ROOT_LOGGER } from './root-logger.token';

export { ROOT_LOGGER };

/**
 * The app's root pino logger and the `LoggerFactory` that hands its children to providers.
 * Global, so every module's providers log to the app they belong to.
 */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: LoggingModule,
      providers: [{ provide: ROOT_LOGGER, useValue: logger }, LoggerFactory],
      exports: [ROOT_LOGGER, LoggerFactory],
    };
  }
}
