import 'reflect-metadata';
import { ConfigError, loadConfig } from '@numerai/config';
import { createRootLogger } from '@numerai/logging';
import { createApp } from './bootstrap';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createRootLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn(`!!! ${warning}`);

  const app = await createApp({ config, logger });
  await app.listen(config.port, '0.0.0.0');
  logger.info(
    { port: config.port, database: config.database.kind, redis: Boolean(config.redisUrl) },
    `NumerAI listening on http://localhost:${config.port} (REST /api, docs /api/docs, WebSockets /ws/…)`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Fatal start-up error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
