import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SQLITE_BUSY_TIMEOUT_MS, SQLITE_PRAGMAS } from './data-source-options';
import type { SqliteThreadData } from './sqlite-thread-data';

/**
 * How a worker module is loaded, decided by how this very module runs. Compiled (dist/, `.js`),
 * the worker is its compiled sibling and runs on plain Node. From the TypeScript sources (ts-jest
 * in-process suites, `tsx`), the worker is the `.ts` file and its thread gets tsx's CommonJS hook
 * (`--require tsx/cjs`; Node 20 does not apply `--import tsx` to a worker's `.ts` entry). Both sides
 * always run the same way, so no file is guessed: not "the dist file if present", which would run
 * stale code from a previous build under jest. The worker is a real file, never `eval`'d source, so
 * coverage instrumentation (which rewrites the main thread's functions) never reaches it; a bundler
 * must emit each `*.worker.ts` as an entry of its own next to its caller.
 */
const RUNNING_FROM_SOURCES = extname(__filename) === '.ts';

/**
 * The file of the worker module `base` (a path without extension, e.g. `join(__dirname, 'x.worker')`).
 * Callers resolve it when they are constructed, so that a build which did not emit it fails at
 * start-up naming the file, rather than every message sent to the thread failing later.
 */
export function sqliteWorkerFile(base: string): string {
  const file = base + (RUNNING_FROM_SOURCES ? '.ts' : '.js');
  if (!existsSync(file)) throw new Error(`SQLite worker module not found: ${file}`);
  return file;
}

/**
 * Starts the worker module `file` (from sqliteWorkerFile) on a thread of its own; its `workerData`
 * is `Data` (declared in a types file both sides import): the connection settings plus `extra`.
 * The thread is unreferenced: it never keeps the process alive on its own.
 */
export function startSqliteThread<Data extends SqliteThreadData>(
  file: string,
  path: string,
  extra: Omit<Data, keyof SqliteThreadData>,
): Worker {
  const workerData: SqliteThreadData = {
    path,
    pragmas: SQLITE_PRAGMAS,
    busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS,
    ...extra,
  };
  const execArgv = RUNNING_FROM_SOURCES ? ['--require', require.resolve('tsx/cjs')] : undefined;
  const worker = new Worker(file, { workerData, execArgv });
  worker.unref();
  return worker;
}
