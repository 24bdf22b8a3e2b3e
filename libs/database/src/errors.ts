import { QueryFailedError } from 'typeorm';

/**
 * A unique or primary-key constraint refused the row (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_*):
 * from TypeORM, or from better-sqlite3 itself (runInOneTransaction runs on the driver's connection).
 */
export function isUniqueViolation(error: unknown): boolean {
  const code =
    error instanceof QueryFailedError
      ? (error.driverError as { code?: unknown } | undefined)?.code
      : error instanceof Error && error.name === 'SqliteError'
        ? (error as Error & { code?: unknown }).code
        : undefined;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
