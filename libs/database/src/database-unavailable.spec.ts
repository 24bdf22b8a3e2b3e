import Database from 'better-sqlite3';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-unavailable';

/** Real errors from the real drivers, so the classifier is checked against what they throw. */
describe('isDatabaseUnavailable', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'numerai-unavailable-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  it('a PostgreSQL server nobody answers for is unavailable', async () => {
    const client = new Client({ connectionString: `postgres://u:p@127.0.0.1:${await closedPort()}/x` });
    client.on('error', () => undefined);
    const error = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('an SQLite file another connection holds locked is unavailable, through TypeORM as through the driver', async () => {
    const path = join(dir, 'locked.sqlite');
    const holder = new Database(path);
    holder.exec('CREATE TABLE t (x INTEGER)');
    holder.exec('BEGIN EXCLUSIVE');
    const dataSource = await new DataSource({ type: 'better-sqlite3', database: path, timeout: 0 }).initialize();
    try {
      const error = await dataSource.query('INSERT INTO t (x) VALUES (1)').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(QueryFailedError);
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
      await dataSource.destroy();
    }
  });

  it('a wrong query is not an outage', async () => {
    const dataSource = await new DataSource({ type: 'better-sqlite3', database: join(dir, 'ok.sqlite') }).initialize();
    try {
      const error = await dataSource.query('SELECT * FROM no_such_table').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(QueryFailedError);
      expect(isDatabaseUnavailable(error)).toBe(false);
      expect(isDatabaseUnavailable(new Error('something else'))).toBe(false);
      expect(isDatabaseUnavailable(undefined)).toBe(false);
    } finally {
      await dataSource.destroy();
    }
  });
});
