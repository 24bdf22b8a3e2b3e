import 'reflect-metadata';
import pino from 'pino';
import { loadConfigOrExit, StartupError } from '@numerai/config';
import { assertDatabaseReachable } from '@numerai/database';
import { createRootLogger } from '@numerai/logging';
import { isHelp, runCli, USAGE } from './cli/commands';

/**
 * The ops CLI: `npm run cli -- <command>` (see USAGE). Answers go to stdout; logs, as JSON,
 * to stderr, so `npm run cli --silent -- demo --json | jq` works.
 */
async function main(argv: string[]): Promise<number> {
  if (isHelp(argv)) {
    process.stdout.write(`${USAGE}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  const config = loadConfigOrExit();
  // Every command needs the database: an unreachable one is one line, not a stack per retry.
  await assertDatabaseReachable(config);
  const logger = createRootLogger(config.logLevel, pino.destination({ dest: 2, sync: true }));
  for (const warning of config.warnings) logger.warn(`!!! ${warning}`);
  return runCli(argv, config, logger, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof StartupError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`Fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
