import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { AppConfig, loadConfig } from '@numerai/config';
import { createRootLogger } from '@numerai/logging';
import type { Clock } from '@numerai/scheduler';
import { createApp } from '../../apps/api/src/bootstrap';
import { createTestDatabase, TestDatabase } from './database';

export interface TestServer {
  app: INestApplication;
  config: AppConfig;
  /** e.g. http://127.0.0.1:41234 */
  httpUrl: string;
  /** e.g. ws://127.0.0.1:41234 */
  wsUrl: string;
  database: TestDatabase;
  /** Every JSON log line the server wrote, for tests that check what is (not) logged. */
  logs: string[];
  close(): Promise<void>;
}

/** A real app listening on a free port with its own database; `env` overrides configuration, `clock` the time of scheduled work. */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { clock?: Clock } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'numerai-test-'));
  const database = await createTestDatabase(dataDir);
  const config = loadConfig({
    DATA_DIR: dataDir,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    LOG_LEVEL: 'info',
    // Factories register many users from one IP; suites that test this limit set it lower.
    AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    ...database.env,
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const app = await createApp({ config, logger: createRootLogger(config.logLevel, sink), clock: options.clock });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const httpUrl = `http://127.0.0.1:${address.port}`;
  let closed = false;
  return {
    app,
    config,
    httpUrl,
    wsUrl: httpUrl.replace('http', 'ws'),
    database,
    logs,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
