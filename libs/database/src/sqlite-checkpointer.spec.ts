import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@numerai/config';
import { captureLogs } from '@numerai/logging';
import { waitFor } from '../../../test/support/wait-for';
import { dataSourceOptions } from './data-source-options';
import { runMigrations } from './migrate';
import { SqliteCheckpointer } from './sqlite-checkpointer';
import { SCHEMA } from '../../../apps/api/src/schema';

describe('SqliteCheckpointer', () => {
  let dir: string;
  let path: string;
  let dataSource: DataSource;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'numerai-checkpointer-'));
    path = join(dir, 'numerai.sqlite');
    dataSource = await new DataSource(dataSourceOptions({ kind: 'sqlite', path }, SCHEMA)).initialize();
    await runMigrations(dataSource);
    // The rows below point at a consultation and a sender: foreign keys want them to exist.
    await dataSource.query(
      "INSERT INTO users (id, email, password_hash, full_name, role, created_at) VALUES ('s', 's@x.test', 'h', 'n', 'user', '2026-11-25 00:00:00.000')",
    );
    await dataSource.query(
      "INSERT INTO consultations (id, user_id, numerologist_id, status, created_at) VALUES ('c', 's', 's', 'active', '2026-11-25 00:00:00.000')",
    );
  });

  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const writeRows = async (from: number, count: number) => {
    for (let i = from; i < from + count; i += 100) {
      const values = Array.from(
        { length: 100 },
        (_, j) =>
          `('m${i + j}', 'c', 's', ${i + j + 1}, '${'x'.repeat(200)}', 'text', NULL, '2026-11-25 00:00:00.000')`,
      );
      await dataSource.query(
        `INSERT INTO chat_messages (id, consultation_id, sender_id, seq, content, message_type, client_id, created_at) VALUES ${values.join(', ')}`,
      );
    }
  };
  const walSize = () => statSync(`${path}-wal`).size;

  // SQLite's automatic checkpoint would run inside a commit once the WAL holds 1,000 pages (its
  // default), so the writes go past that; once they have resolved there is nothing left to wait for.
  it('connections never checkpoint inside a commit: the database file stays as it was', async () => {
    const before = statSync(path).size;
    const [{ page_size: pageSize }] = (await dataSource.query('PRAGMA page_size')) as { page_size: number }[];
    await writeRows(0, 4000);
    expect(walSize()).toBeGreaterThan(1000 * pageSize);
    expect(statSync(path).size).toBe(before);
  });

  it('copies the WAL back into the database file from its own thread', async () => {
    const checkpointer = new SqliteCheckpointer(
      { database: { kind: 'sqlite', path } } as AppConfig,
      captureLogs().loggers,
    );
    checkpointer.onApplicationBootstrap();
    try {
      const before = statSync(path).size;
      await writeRows(0, 2000);
      await waitFor('the WAL copied into the database file', () => statSync(path).size > before + 400_000);
    } finally {
      await checkpointer.onApplicationShutdown();
    }
  });
});
