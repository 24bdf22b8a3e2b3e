import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { sqliteWorkerFile, startSqliteThread } from '@numerai/database';
import type { InsertedRow, InsertReply, InsertRequest, InsertThreadData } from './sqlite-insert.protocol';

export type { InsertedRow } from './sqlite-insert.protocol';

interface Job {
  resolve(inserted: InsertedRow[]): void;
  reject(error: Error): void;
}

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
 * The thread's program is sqlite-insert.worker.ts.
 */
export class SqliteInsertThread {
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, Job>();
  private lastJob = 0;
  private closed = false;
  private readonly workerFile = sqliteWorkerFile(join(__dirname, 'sqlite-insert.worker'));

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
      const request: InsertRequest = { job, rows };
      worker.postMessage(request);
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
    const worker = startSqliteThread<InsertThreadData>(this.workerFile, this.path, {
      checkpointEveryMs: CHECKPOINT_EVERY_MS,
    });
    worker.on('message', (reply: InsertReply) => this.settle(reply));
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error(`the chat writer thread exited with code ${code}`));
    });
    return worker;
  }

  private settle(reply: InsertReply): void {
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
