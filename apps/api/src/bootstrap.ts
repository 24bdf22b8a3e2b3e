import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from 'pino';
import { AppConfig } from '@numerai/config';
import { PinoNestLogger } from '@numerai/logging';
import type { Clock } from '@numerai/scheduler';
import { RealtimeAdapter } from '@numerai/realtime';
import { setupApiDocs } from './api-docs';
import { AppModule } from './app.module';
import { useCompression } from './http/compression';
import { useJsonBodyParsers } from './http/json-body';
import { KnownFieldsPipe } from './http/known-fields.pipe';
import { NestingLimitPipe } from './http/nesting-limit.pipe';
import { RequiredFieldsValidationPipe } from './http/required-fields.validation-pipe';

export interface CreateAppOptions {
  config: AppConfig;
  logger: Logger;
  /** Where scheduled work reads the time; tests pass a ManualClock, the system clock otherwise. */
  clock?: Clock;
  /** Modules besides the app's own (a suite's test-only feature, e.g. a declared stream under test/). */
  imports?: ModuleMetadata['imports'];
}

/** Builds the whole application (REST + WebSockets) without listening; main.ts and the e2e tests share it. */
export async function createApp({ config, logger, clock, imports }: CreateAppOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger, clock, imports), {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
  });
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  useCompression(app);
  useJsonBodyParsers(app, config.http);
  if (config.corsOrigins.length > 0) {
    app.enableCors({ origin: config.corsOrigins.includes('*') ? true : config.corsOrigins });
  }
  app.useGlobalPipes(
    new KnownFieldsPipe(),
    new NestingLimitPipe(),
    new RequiredFieldsValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
    }),
  );
  app.useWebSocketAdapter(new RealtimeAdapter(app));

  setupApiDocs(app);
  return app;
}
