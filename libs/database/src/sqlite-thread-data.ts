/**
 * What the main thread hands a SQLite worker thread (`workerData`), shared by both sides so the
 * two cannot drift: how to open its own connection to the file, the same way TypeORM does.
 */
export interface SqliteThreadData {
  path: string;
  pragmas: readonly string[];
  busyTimeoutMs: number;
}

/** The checkpoint thread's settings (sqlite-checkpoint.worker.ts). */
export interface CheckpointThreadData extends SqliteThreadData {
  intervalMs: number;
}
