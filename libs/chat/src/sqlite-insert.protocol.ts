import type { SqliteThreadData } from '@numerai/database';

/**
 * The messages between SqliteInsertThread (main thread) and sqlite-insert.worker.ts, declared once
 * for both sides. Type-only: neither side loads this module at run time.
 */

/** What the thread reports for a row it inserted: its id, its position and its `created_at` (as stored). */
export type InsertedRow = [id: string, seq: number, createdAt: string];

/** The writer thread's settings (`workerData`). */
export interface InsertThreadData extends SqliteThreadData {
  /** How often the thread finishes the WAL checkpoint itself, between two batches (see SqliteInsertThread). */
  checkpointEveryMs: number;
}

/** One batch to store: rows of `[id, consultation_id, sender_id, content, message_type, client_id, event]`. */
export interface InsertRequest {
  job: number;
  rows: unknown[][];
}

/** The thread's answer to a batch: the rows it inserted once committed, or why the whole batch failed. */
export type InsertReply = { job: number; inserted: InsertedRow[] } | { job: number; error: string };
