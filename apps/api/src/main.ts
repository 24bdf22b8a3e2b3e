import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { loadConfigOrExit, portProblem, StartupError } from '@numerai/config';
import { assertDatabaseReachable } from '@numerai/database';
import { createRootLogger } from '@numerai/logging';
import { createApp } from './bootstrap';
import { assertPortFree } from './preflight';

const HOST = '0.0.0.0';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // What an operator can fix is found before anything is built or logged: one line, no stack.
  await assertPortFree('PORT', config.port, HOST);
  const { metrics } = config;
  if (metrics.port !== undefined) await assertPortFree('METRICS_PORT', metrics.port, metrics.host);
  await assertDatabaseReachable(config);
  const logger = createRootLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn(`!!! ${warning}`);

  const app = await createApp({ config, logger });
  installShutdown(app, logger, config.shutdownTimeoutMs);
  await app.listen(config.port, HOST).catch((error: unknown) => {
    throw portProblem('PORT', config.port, error) ?? error;
  });
  const { port } = app.getHttpServer().address() as AddressInfo;
  logger.info(
    { port, database: config.database.kind, redis: Boolean(config.redisUrl) },
    `NumerAI listening on http://localhost:${port} (REST /api, docs /api/docs, demo /demo, WebSockets /ws/…)`,
  );
}

/**
 * SIGTERM/SIGINT: stop admitting, finish frames in flight, close every socket with 1001,
 * close the database and Redis (Nest's shutdown hooks), flush logs, exit 0. A hard
 * deadline guarantees the process is gone well within 10 s even if something hangs.
 */
function installShutdown(app: INestApplication, logger: Logger, timeoutMs: number): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown took too long; exiting anyway');
      logger.flush();
      process.exit(1);
    }, timeoutMs);
    deadline.unref();
    app.close().then(
      () => {
        logger.info('shutdown complete');
        logger.flush(() => process.exit(0));
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        logger.flush(() => process.exit(1));
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(
    `Fatal start-up error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
