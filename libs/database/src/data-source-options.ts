import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { defaults as pgDefaults, types as pgTypes } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '@numerai/config';
import type { FeatureSchema } from './schema';

/** PostgreSQL `timestamp` columns hold UTC; make node-postgres write and read them as UTC whatever the host's TZ. */
function usePostgresUtcTimestamps(): void {
  pgDefaults.parseInputDatesAsUTC = true;
  pgTypes.setTypeParser(pgTypes.builtins.TIMESTAMP, (value) => new Date(`${value.replace(' ', 'T')}Z`));
}

/** One set of entities and migrations (the app's collected `schema`) for both engines; never `synchronize`. */
export function dataSourceOptions(database: AppConfig['database'], schema: FeatureSchema): DataSourceOptions {
  const common = {
    entities: [...schema.entities],
    migrations: [...schema.migrations],
    migrationsRun: false,
    synchronize: false,
    logging: false,
  };
  if (database.kind === 'postgres') {
    usePostgresUtcTimestamps();
    return { ...common, type: 'postgres', url: database.url, extra: { max: 20 } };
  }
  mkdirSync(dirname(database.path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: database.path,
    timeout: SQLITE_BUSY_TIMEOUT_MS,
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
    },
  };
}

/** How long a connection waits for another one's write transaction (the chat writer thread's) before failing. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** Set on every connection to the SQLite file: TypeORM's and the chat writer thread's alike. */
export const SQLITE_PRAGMAS: readonly string[] = [
  // WAL lets readers (history, replay) proceed while a write transaction is open.
  'journal_mode = WAL',
  'synchronous = NORMAL',
  // No checkpoint inside a commit: SqliteCheckpointer's thread does them (see there why).
  'wal_autocheckpoint = 0',
  // Once checkpointed, a WAL grown by a burst is cut back to 64 MB rather than kept at its peak size.
  'journal_size_limit = 67108864',
  'foreign_keys = ON',
];
