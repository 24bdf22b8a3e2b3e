import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Client } from 'pg';
import { AppConfig, StartupError } from '@numerai/config';
import { UNREACHABLE_CODES } from './database-unavailable';

/** What the operator reads about the cause: the code and the driver's message, never the URL (it may hold a password). */
export function describeDatabaseError(error: unknown): string {
  // Node 20 tries every address of `localhost` and reports an AggregateError with an empty message.
  const inner = error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error;
  const code = (error as { code?: string }).code ?? (inner as { code?: string }).code;
  const message = inner instanceof Error ? inner.message : String(inner);
  const text = (message || code || 'unknown error').replace(/\s+/g, ' ').trim();
  return code && !text.includes(code) ? `${text} (${code})` : text;
}

function isTransient(error: unknown): boolean {
  const inner = error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error;
  const code = (error as { code?: string }).code ?? (inner as { code?: string }).code;
  return code !== undefined && UNREACHABLE_CODES.has(code) ? true : /timeout/i.test(String((inner as Error)?.message));
}

/** `host:port, database "name"` from a PostgreSQL URL, without user or password. */
export function describePostgresTarget(url: string): string {
  try {
    const parsed = new URL(url);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || parsed.username || 'postgres';
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}, database "${database}"`;
  } catch {
    return 'an unparsable URL';
  }
}

async function probePostgres(url: string, timeoutMs: number): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: Math.max(500, timeoutMs) });
  // A failed connect can still emit 'error' later; without a listener that would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

function probeSqlite(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('user_version');
  } finally {
    db.close();
  }
}

/**
 * Start-up's first look at the database, before the app is built: a server that is not
 * answering yet is retried for `config.databaseConnectTimeoutMs` (DATABASE_CONNECT_TIMEOUT_MS),
 * anything else (no such database, wrong password, unwritable file) fails at once. Either way
 * the failure is one StartupError line naming the variable, where it points and the cause.
 */
export async function assertDatabaseReachable(
  config: Pick<AppConfig, 'database' | 'databaseConnectTimeoutMs'>,
): Promise<void> {
  const { database, databaseConnectTimeoutMs: budgetMs } = config;
  if (database.kind === 'sqlite') {
    try {
      probeSqlite(database.path);
      return;
    } catch (error) {
      throw new StartupError(
        `Cannot open the SQLite database ${database.path} (SQLITE_PATH / DATA_DIR): ${describeDatabaseError(error)}`,
      );
    }
  }
  const started = Date.now();
  let delayMs = 250;
  for (let attempt = 1; ; attempt++) {
    const remaining = budgetMs - (Date.now() - started);
    try {
      await probePostgres(database.url, Math.min(remaining, 3000));
      return;
    } catch (error) {
      const left = budgetMs - (Date.now() - started);
      if (!isTransient(error) || left <= 0) {
        const waited = isTransient(error)
          ? ` — gave up after ${attempt} attempt(s) in ${((Date.now() - started) / 1000).toFixed(1)} s (DATABASE_CONNECT_TIMEOUT_MS=${budgetMs})`
          : '';
        throw new StartupError(
          `Cannot use the database in DATABASE_URL (${describePostgresTarget(database.url)}): ${describeDatabaseError(error)}${waited}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(delayMs, left)));
      delayMs = Math.min(delayMs * 2, 1000);
    }
  }
}
