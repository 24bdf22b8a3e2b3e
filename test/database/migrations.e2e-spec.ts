import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { loadConfig } from '@numerai/config';
import { dataSourceOptions } from '@numerai/database';
import { SCHEMA } from '../../apps/api/src/schema';
import { createTestDatabase } from '../support/database';
import { ENGINE, noteSkippedPostgres } from '../support/rest-helpers';

/**
 * The schema the migrations build must be exactly the schema the entities describe, on the
 * engine of this run: SQLite always, PostgreSQL when DATABASE_URL is set. Every test gets an
 * empty database of its own (a temp SQLite file, or a PostgreSQL database created and dropped).
 */
async function withEmptyDatabase(
  fn: (dataSource: DataSource, options: DataSourceOptions) => Promise<void>,
): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'numerai-migrations-'));
  const database = await createTestDatabase(dataDir);
  const config = loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'x'.repeat(32), ...database.env });
  const options = dataSourceOptions(config.database, SCHEMA);
  const dataSource = new DataSource(options);
  try {
    await dataSource.initialize();
    await fn(dataSource, options);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const TABLES = [
  'chat_messages',
  'chat_read_markers',
  'consultations',
  'live_sessions',
  'notification_deliveries',
  'notification_preferences',
  'notifications',
  'numerologist_availability',
  'push_deliveries',
  'push_subscriptions',
  'readings',
  'refresh_tokens',
  'sessions',
  'user_blocks',
  'users',
  'wallet_accounts',
  'wallet_entries',
  'wallet_transfers',
];

async function tableNames(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    const tables = await runner.getTables(SCHEMA.entities.map((entity) => dataSource.getMetadata(entity).tableName));
    return tables.map((table) => table.name.replace(/^public\./, '')).sort();
  } finally {
    await runner.release();
  }
}

/** The SQL TypeORM would run to make the schema match the entities: empty when they agree. */
async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((query) => query.query);
}

noteSkippedPostgres('migrations');

describe(`migrations (${ENGINE})`, () => {
  it('keep the names and the order existing databases recorded, wherever each feature keeps its own', () => {
    // A database migrated before the migrations moved into their features has exactly these rows
    // in its `migrations` table: a renamed or reordered one would run again, or never.
    expect(SCHEMA.migrations.map((migration) => migration.name)).toEqual([
      'InitialSchema1732400000000',
      'StreamPositions1733000000000',
      'Sessions1733100000000',
      'ConsultationConsentAndForeignKeys1733200000000',
      'ProductProfilesReadings1733300000000',
      'ChatSystemMessages1733500000000',
      'PushSubscriptions1733600000000',
      'UserBlocks1733750000000',
      'ErasureAndCollapsedNotifications1733780000000',
      'NumerologistAvailability1733800000000',
      'WalletLedger1733810000000',
      'WalletEarnings1733820000000',
      'LiveSessions1733830000000',
      'ChatInsertFunction1733900000000',
    ]);
  });

  it('run up on an empty database, create every table, and leave no pending schema change', async () => {
    await withEmptyDatabase(async (dataSource) => {
      expect(await tableNames(dataSource)).toEqual([]);
      expect(await dataSource.showMigrations()).toBe(true);

      const applied = await dataSource.runMigrations({ transaction: 'each' });
      expect(applied.map((migration) => migration.name)).toEqual(SCHEMA.migrations.map((migration) => migration.name));
      expect(await dataSource.showMigrations()).toBe(false);
      expect(await tableNames(dataSource)).toEqual(TABLES);
      expect(await pendingSchemaChanges(dataSource)).toEqual([]);

      // A second run (every start-up does one) applies nothing.
      expect(await dataSource.runMigrations({ transaction: 'each' })).toEqual([]);
    });
  });

  it('run down to an empty database, and up again to the same schema', async () => {
    await withEmptyDatabase(async (dataSource) => {
      await dataSource.runMigrations({ transaction: 'each' });
      for (let i = 0; i < SCHEMA.migrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await tableNames(dataSource)).toEqual([]);
      expect(await dataSource.showMigrations()).toBe(true);

      await dataSource.runMigrations({ transaction: 'each' });
      expect(await tableNames(dataSource)).toEqual(TABLES);
      expect(await pendingSchemaChanges(dataSource)).toEqual([]);
    });
  });

  it('the schema comparison does notice a difference (so the checks above can fail)', async () => {
    await withEmptyDatabase(async (dataSource) => {
      await dataSource.runMigrations({ transaction: 'each' });
      const runner = dataSource.createQueryRunner();
      try {
        await runner.dropIndex('consultations', 'idx_consultations_user');
      } finally {
        await runner.release();
      }
      const pending = await pendingSchemaChanges(dataSource);
      expect(pending.some((sql) => sql.includes('idx_consultations_user'))).toBe(true);
    });
  });

  it('number existing messages and notifications 1, 2, 3 … in id order and carry read markers over as positions', async () => {
    await withEmptyDatabase(async (dataSource) => {
      const [first, ...rest] = SCHEMA.migrations;
      const before = new DataSource({ ...dataSource.options, migrations: [first] } as never);
      await before.initialize();
      const p = (i: number) => (ENGINE === 'postgres' ? `$${i}` : '?');
      const at = ENGINE === 'postgres' ? 'now()' : "'2026-01-01 00:00:00.000'";
      const id = (n: number) => `0190${String(n).padStart(4, '0')}-0000-7000-8000-000000000000`;
      try {
        await before.runMigrations({ transaction: 'each' });
        // Real participants: a later migration adds foreign keys and removes rows that have none.
        for (const n of [10, 11, 20, 21]) {
          await before.query(
            `INSERT INTO users (id, email, password_hash, full_name, role, created_at) VALUES (${p(1)}, ${p(2)}, 'x', 'A', 'user', ${at})`,
            [id(n), `u${n}@b.c`],
          );
        }
        for (const [i, consultation] of [id(1), id(2)].entries()) {
          await before.query(
            `INSERT INTO consultations (id, user_id, numerologist_id, status, created_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, 'active', ${at})`,
            [consultation, id(10 + i), id(20 + i)],
          );
        }
        // Inserted out of id order: the numbering follows ids, not insertion.
        for (const n of [33, 31, 32, 41]) {
          await before.query(
            `INSERT INTO chat_messages (id, consultation_id, sender_id, content, message_type, created_at)
             VALUES (${p(1)}, ${p(2)}, ${p(3)}, 'x', 'text', ${at})`,
            [id(n), n < 40 ? id(1) : id(2), id(10)],
          );
        }
        await before.query(
          `INSERT INTO chat_read_markers (consultation_id, user_id, last_read_message_id, read_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${at})`,
          [id(1), id(20), id(32)],
        );
        for (const n of [52, 51]) {
          await before.query(
            `INSERT INTO notifications (id, user_id, title, message, notification_type, is_read, created_at)
             VALUES (${p(1)}, ${p(2)}, 't', 'm', 'test', ${ENGINE === 'postgres' ? 'false' : '0'}, ${at})`,
            [id(n), id(10)],
          );
        }
      } finally {
        await before.destroy();
      }
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      expect(applied.map((migration) => migration.name)).toEqual(rest.map((migration) => migration.name));
      const rows = async (sql: string) =>
        ((await dataSource.query(sql)) as Record<string, unknown>[]).map((row) =>
          Object.fromEntries(
            Object.entries(row).map(([key, value]) => [key, typeof value === 'bigint' ? Number(value) : value]),
          ),
        );
      expect(await rows('SELECT id, seq FROM chat_messages ORDER BY id')).toEqual([
        { id: id(31), seq: 1 },
        { id: id(32), seq: 2 },
        { id: id(33), seq: 3 },
        { id: id(41), seq: 1 },
      ]);
      expect(await rows('SELECT id, last_seq FROM consultations ORDER BY id')).toEqual([
        { id: id(1), last_seq: 3 },
        { id: id(2), last_seq: 1 },
      ]);
      expect(await rows('SELECT last_read_seq FROM chat_read_markers')).toEqual([{ last_read_seq: 2 }]);
      expect(await rows('SELECT id, seq FROM notifications ORDER BY id')).toEqual([
        { id: id(51), seq: 1 },
        { id: id(52), seq: 2 },
      ]);
      expect(await rows(`SELECT last_notification_seq FROM users WHERE id = '${id(10)}'`)).toEqual([
        { last_notification_seq: 2 },
      ]);
    });
  });

  it('upgrading a database an older version filled: duplicate open consultations and orphans are repaired, no manual step', async () => {
    await withEmptyDatabase(async (dataSource, options) => {
      const older = new DataSource({ ...options, migrations: SCHEMA.migrations.slice(0, 1) } as DataSourceOptions);
      await older.initialize();
      const id = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
      const at = '2026-01-01 00:00:00';
      try {
        await older.runMigrations({ transaction: 'each' });
        for (const [user, role] of [
          [id(1), 'user'],
          [id(2), 'numerologist'],
        ]) {
          await older.query(
            `INSERT INTO users (id, email, password_hash, full_name, role, created_at) VALUES ('${user}', '${user}@x.test', 'h', 'n', '${role}', '${at}')`,
          );
        }
        const consultation = (cid: string, userId: string, status: string) =>
          older.query(
            `INSERT INTO consultations (id, user_id, numerologist_id, status, created_at) VALUES ('${cid}', '${userId}', '${id(2)}', '${status}', '${at}')`,
          );
        await consultation(id(10), id(1), 'scheduled'); // an older open one of the pair
        await consultation(id(11), id(1), 'active'); // the pair's newest open one
        await consultation(id(12), id(99), 'scheduled'); // of a user who is gone
        const message = (mid: string, cid: string) =>
          older.query(
            `INSERT INTO chat_messages (id, consultation_id, sender_id, content, message_type, created_at) VALUES ('${mid}', '${cid}', '${id(1)}', 'x', 'text', '${at}')`,
          );
        await message(id(20), id(10));
        await message(id(21), id(98)); // of a consultation that is gone
        await older.query(
          `INSERT INTO notifications (id, user_id, title, message, notification_type, is_read, created_at) VALUES ('${id(30)}', '${id(97)}', 't', 'm', 'x', false, '${at}')`,
        );
      } finally {
        await older.destroy();
      }

      await dataSource.runMigrations({ transaction: 'each' });
      const rows = async (sql: string) => (await dataSource.query(sql)) as Record<string, string>[];
      expect(await rows('SELECT id, status FROM consultations ORDER BY id')).toEqual([
        { id: id(10), status: 'cancelled' },
        { id: id(11), status: 'active' },
      ]);
      expect(await rows('SELECT id FROM chat_messages')).toEqual([{ id: id(20) }]);
      expect(await rows('SELECT id FROM notifications')).toEqual([]);
      expect(await pendingSchemaChanges(dataSource)).toEqual([]);
    });
  });
});
