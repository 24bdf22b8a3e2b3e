import { Worker } from 'node:worker_threads';
import { SQLITE_BUSY_TIMEOUT_MS, SQLITE_PRAGMAS } from './data-source-options';

/** What every SQLite worker thread gets: how to open its own connection to the file, the same way TypeORM does. */
export interface SqliteThreadData {
  /** Resolved path of better-sqlite3 (an eval'd worker cannot resolve modules relative to this package). */
  driver: string;
  path: string;
  pragmas: readonly string[];
  busyTimeoutMs: number;
}

/**
 * Starts a worker thread that runs `program` with its own connection settings in
 * `workerData`. The program runs from its source text, so the same code works from
 * ts-jest's transpiled modules and from dist/ — and so it may use nothing from its
 * module's scope, only what it requires itself. The thread is unreferenced: it never
 * keeps the process alive on its own.
 */
export function startSqliteThread<T extends object>(program: () => void, path: string, extra: T): Worker {
  const workerData: SqliteThreadData & T = {
    driver: require.resolve('better-sqlite3'),
    path,
    pragmas: SQLITE_PRAGMAS,
    busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS,
    ...extra,
  };
  const worker = new Worker(`(${program.toString()})()`, { eval: true, workerData });
  worker.unref();
  return worker;
}
