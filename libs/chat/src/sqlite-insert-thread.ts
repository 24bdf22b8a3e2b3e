import type { Worker } from 'node:worker_threads';
import { startSqliteThread, type SqliteThreadData } from '@numerai/database';

/** What the thread reports for a row it inserted: its id, its position and its `created_at` (as stored). */
export type InsertedRow = [id: string, seq: number, createdAt: string];

interface Job {
  resolve(inserted: InsertedRow[]): void;
  reject(error: Error): void;
}

type Reply = { job: number; inserted: InsertedRow[] } | { job: number; error: string };

/**
 * How often the writer finishes the WAL checkpoint itself, between two batches. SqliteCheckpointer
 * copies the WAL back concurrently, but under steady writes it never catches the last frames, and
 * only a checkpoint that has copied everything lets the next commit start the WAL over: without
 * this the WAL (and the index every read searches) grew by gigabytes under sustained chat load.
 * What is left to copy by then is small, so the pause is short.
 */
const CHECKPOINT_EVERY_MS = 1000;

/** How long `close` lets batches already sent finish before the thread is stopped. */
const CLOSE_GRACE_MS = 5000;

/**
 * Stores chat-message batches on a worker thread with its own connection to the SQLite
 * file, and numbers them there. better-sqlite3 is synchronous, and keeping chat_messages'
 * indexes up to date costs 20–40 µs a row: on the event loop that was a third of a DM's CPU,
 * and every WAL checkpoint stalled every socket. Here it overlaps with the event loop, while
 * the group commit still acknowledges only what this thread reports committed.
 *
 * This thread is the only writer of chat messages on SQLite, so inside its transaction it
 * hands out each consultation's next `seq` (consultations.last_seq) and a `created_at` that
 * never goes below the previous message's: the position is fixed where the row is stored.
 *
 * The two connections share the file under SQLite's own locking: a main-thread write
 * (a read marker, a notification) waits at most for one batch to commit (busy timeout).
 * The thread starts with the first batch; if it dies, the batches it held fail (their
 * senders get an error and resend with the same client_id) and the next batch starts a new one.
 */
export class SqliteInsertThread {
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, Job>();
  private lastJob = 0;
  private closed = false;

  /** @param path the SQLite file TypeORM has open (never `:memory:`: the thread opens its own connection to it) */
  constructor(private readonly path: string) {}

  /**
   * Inserts the rows — `[id, consultation_id, sender_id, content, message_type, client_id, event]` — in one
   * transaction, skipping those whose client_id is stored already; resolves once it has committed.
   */
  insertAll(rows: unknown[][]): Promise<InsertedRow[]> {
    if (this.closed) return Promise.reject(new Error('the chat writer thread is closed'));
    const worker = (this.worker ??= this.start());
    const job = ++this.lastJob;
    return new Promise((resolve, reject) => {
      this.jobs.set(job, { resolve, reject });
      // Referenced only while it owes an answer, so an idle thread never keeps the process alive.
      if (this.jobs.size === 1) worker.ref();
      worker.postMessage({ job, rows });
    });
  }

  /** Lets batches already sent commit, then stops the thread; later batches are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const deadline = Date.now() + CLOSE_GRACE_MS;
    while (this.jobs.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = startSqliteThread(insertLoop, this.path, { checkpointEveryMs: CHECKPOINT_EVERY_MS });
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error(`the chat writer thread exited with code ${code}`));
    });
    return worker;
  }

  private settle(reply: Reply): void {
    const job = this.jobs.get(reply.job);
    if (!job) return;
    this.jobs.delete(reply.job);
    if (this.jobs.size === 0) this.worker?.unref();
    if ('error' in reply) job.reject(new Error(reply.error));
    else job.resolve(reply.inserted);
  }

  private failAll(error: Error): void {
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    for (const job of jobs) job.reject(error);
  }
}

/** The writer thread's whole program (see startSqliteThread: nothing from this module's scope). */
function insertLoop(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an eval'd worker has no module scope to import into
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const options = workerData as SqliteThreadData & { checkpointEveryMs: number };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require(options.driver) as typeof import('better-sqlite3');
  const db = new Database(options.path, { timeout: options.busyTimeoutMs });
  for (const pragma of options.pragmas) db.pragma(pragma);
  // Only the client_id index may swallow a row (a resend); a clash on (consultation_id, seq) must fail loudly.
  const insert = db.prepare(
    `INSERT INTO chat_messages (id, consultation_id, sender_id, content, message_type, client_id, event, created_at, seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (consultation_id, sender_id, client_id) DO NOTHING`,
  );
  // Where the consultation stands: its counter and its newest message's time, in one lookup.
  const readCounter = db.prepare(
    `SELECT c.last_seq AS last, m.created_at AS at FROM consultations c
       LEFT JOIN chat_messages m ON m.consultation_id = c.id AND m.seq = c.last_seq WHERE c.id = ?`,
  );
  const writeCounter = db.prepare('UPDATE consultations SET last_seq = ? WHERE id = ?');
  // TypeORM's format for a datetime column on SQLite (UTC, milliseconds): such strings sort like the times they hold.
  const format = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 23);

  const insertAll = db.transaction((rows: unknown[][]) => {
    const now = format(Date.now());
    const counters = new Map<string, { last: number; at: string; changed: boolean } | null>();
    const inserted: [string, number, string][] = [];
    for (const row of rows) {
      const consultationId = row[1] as string;
      let counter = counters.get(consultationId);
      if (counter === undefined) {
        const stands = readCounter.get(consultationId) as { last: number; at: string | null } | undefined;
        counter = stands
          ? { last: stands.last, at: stands.at && stands.at > now ? stands.at : now, changed: false }
          : null;
        counters.set(consultationId, counter);
      }
      if (!counter) continue; // no such consultation: not stored, the sender hears of it
      const seq = counter.last + 1;
      if (insert.run(...row, counter.at, seq).changes === 0) continue;
      counter.last = seq;
      counter.changed = true;
      inserted.push([row[0] as string, seq, counter.at]);
    }
    for (const [consultationId, counter] of counters) {
      if (counter?.changed) writeCounter.run(counter.last, consultationId);
    }
    return inserted;
  });
  let lastCheckpoint = Date.now();
  parentPort!.on('message', ({ job, rows }: { job: number; rows: unknown[][] }) => {
    try {
      // IMMEDIATE takes the write lock up front, so the busy timeout (not an instant SQLITE_BUSY) applies.
      parentPort!.postMessage({ job, inserted: insertAll.immediate(rows) });
    } catch (error) {
      parentPort!.postMessage({ job, error: error instanceof Error ? error.message : String(error) });
    }
    // After answering, so no sender waits for it.
    if (Date.now() - lastCheckpoint >= options.checkpointEveryMs) {
      lastCheckpoint = Date.now();
      try {
        db.pragma('wal_checkpoint(PASSIVE)');
      } catch {
        // Busy: the next one catches up.
      }
    }
  });
}
