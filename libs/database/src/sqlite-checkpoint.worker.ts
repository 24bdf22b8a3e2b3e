/**
 * The checkpoint thread (started by SqliteCheckpointer, which says why): PASSIVE checkpoints
 * every `intervalMs` on a connection of its own.
 */
import Database from 'better-sqlite3';
import { workerData } from 'node:worker_threads';
import type { CheckpointThreadData } from './sqlite-thread-data';

const options = workerData as CheckpointThreadData;
const db = new Database(options.path, { timeout: options.busyTimeoutMs });
for (const pragma of options.pragmas) db.pragma(pragma);
setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // A busy database is checkpointed next time; nothing here is worth failing for.
  }
}, options.intervalMs);
