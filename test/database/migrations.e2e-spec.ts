import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '@numerai/config';
import { dataSourceOptions, ENTITIES, MIGRATIONS } from '@numerai/database';
import { createTestDatabase } from '../support/database';
import { ENGINE, noteSkippedPostgres } from '../support/rest-helpers';

/**
 * The schema the migrations build must be exactly the schema the entities describe, on the
 * engine of this run: SQLite always, PostgreSQL when DATABASE_URL is set. Every test gets an
 * empty database of its own (a temp SQLite file, or a PostgreSQL database created and dropped).
 */
async function withEmptyDatabase(fn: (dataSource: DataSource) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'numerai-migrations-'));
  const database = await createTestDatabase(dataDir);
  const config = loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'x'.repeat(32), ...database.env });
  const dataSource = new DataSource(dataSourceOptions(config.database));
  try {
    await dataSource.initialize();
    await fn(dataSource);
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
  'notification_deliveries',
  'notification_preferences',
  'notifications',
  'readings',
  'users',
];

async function tableNames(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    const tables = await runner.getTables(ENTITIES.map((entity) => dataSource.getMetadata(entity).tableName));
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
  it('run up on an empty database, create every table, and leave no pending schema change', async () => {
    await withEmptyDatabase(async (dataSource) => {
      expect(await tableNames(dataSource)).toEqual([]);
      expect(await dataSource.showMigrations()).toBe(true);

      const applied = await dataSource.runMigrations({ transaction: 'each' });
      expect(applied.map((migration) => migration.name)).toEqual(MIGRATIONS.map((migration) => migration.name));
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
      for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
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
});
