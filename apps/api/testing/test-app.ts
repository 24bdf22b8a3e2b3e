import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, loadConfig } from '@numerai/config';
import { captureLogs } from '@numerai/logging';
import type { Clock } from '@numerai/scheduler';
import { createApp } from '../src/bootstrap';
import { createTestDatabase, TestDatabase } from './test-database';

/** The secret `startTestApp` configures; tokens minted with it are genuine, with any other forged. */
export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  /** e.g. http://127.0.0.1:41234 (the REST API and the WebSocket upgrades share the port). */
  url: string;
  /** The same as `url`. */
  httpUrl: string;
  /** e.g. ws://127.0.0.1:41234 */
  wsUrl: string;
  database: TestDatabase;
  /** Every JSON log line the server wrote, for tests that check what is (not) logged. */
  logs: string[];
  /** Stops the app and drops its database. Calling it twice is harmless. */
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Configuration overrides (the environment variables of README's table). */
  env?: Record<string, string>;
  /** The time of scheduled work (reminders, lifecycle). */
  clock?: Clock;
  /** Modules besides the app's own: a suite's test-only feature (e.g. test/streams' declared stream). */
  imports?: ModuleMetadata['imports'];
  /**
   * Another app's database, for a second instance of the same cluster (with the same Redis in
   * `env`): its owner drops it, this app's `close()` leaves it.
   */
  database?: TestDatabase;
}

/**
 * The whole API listening on a free port of 127.0.0.1, on a temporary SQLite file — or, when
 * DATABASE_URL is set, on a fresh database created on that PostgreSQL server and dropped by
 * `close()`.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'numerai-test-'));
  const shared = options.database;
  const database = shared ?? (await createTestDatabase(dataDir));
  const config = loadConfig({
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'info',
    // Factories register many users from one IP; suites that test this limit set it lower.
    AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    ...database.env,
    ...options.env,
  });
  const { lines: logs, root } = captureLogs(config.logLevel);
  const app = await createApp({ config, logger: root, clock: options.clock, imports: options.imports });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const httpUrl = `http://127.0.0.1:${address.port}`;
  let closed = false;
  return {
    app,
    config,
    url: httpUrl,
    httpUrl,
    wsUrl: httpUrl.replace('http', 'ws'),
    database,
    logs,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      if (!shared) await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
