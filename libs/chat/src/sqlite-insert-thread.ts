import type { Worker } from 'node:worker_threads';
import { startSqliteThread, type SqliteThreadData } from '@numerai/database';

interface Job {
  resolve(inserted: Set<string>): void;
  reject(error: Error): void;
}

type Reply = { seq: number; inserted: string[] } | { seq: number; error: string };

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
 * Runs chat-message INSERT batches on a worker thread with its own connection to the
 * SQLite file. better-sqlite3 is synchronous, and keeping chat_messages' four indexes up
 * to date costs 20–40 µs a row: on the event loop that was a third of a DM's CPU, and
 * every WAL checkpoint stalled every socket. Here it overlaps with the event loop, while
 * the group commit still acknowledges only what this thread reports committed.
 *
 * The two connections share the file under SQLite's own locking: a main-thread write
 * (a read marker, a notification) waits at most for one batch to commit (busy timeout).
 * The thread starts with the first batch; if it dies, the batches it held fail (their
 * senders get an error and resend with the same client_id) and the next batch starts a new one.
 */
export class SqliteInsertThread {
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, Job>();
  private seq = 0;
  private closed = false;

  /**
   * @param path the SQLite file TypeORM has open (never `:memory:`: the thread opens its own connection to it)
   * @param sql one row's INSERT with `?` placeholders; its first parameter is the row id
   */
  constructor(
    private readonly path: string,
    private readonly sql: string,
  ) {}

  /** Inserts the rows in one transaction; resolves with the ids actually inserted once it has committed. */
  insertAll(rows: unknown[][]): Promise<Set<string>> {
    if (this.closed) return Promise.reject(new Error('the chat writer thread is closed'));
    const worker = (this.worker ??= this.start());
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.jobs.set(seq, { resolve, reject });
      // Referenced only while it owes an answer, so an idle thread never keeps the process alive.
      if (this.jobs.size === 1) worker.ref();
      worker.postMessage({ seq, rows });
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
    const worker = startSqliteThread(insertLoop, this.path, { sql: this.sql, checkpointEveryMs: CHECKPOINT_EVERY_MS });
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error(`the chat writer thread exited with code ${code}`));
    });
    return worker;
  }

  private settle(reply: Reply): void {
    const job = this.jobs.get(reply.seq);
    if (!job) return;
    this.jobs.delete(reply.seq);
    if (this.jobs.size === 0) this.worker?.unref();
    if ('error' in reply) job.reject(new Error(reply.error));
    else job.resolve(new Set(reply.inserted));
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
  const options = workerData as SqliteThreadData & { sql: string; checkpointEveryMs: number };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require(options.driver) as typeof import('better-sqlite3');
  const db = new Database(options.path, { timeout: options.busyTimeoutMs });
  for (const pragma of options.pragmas) db.pragma(pragma);
  const insert = db.prepare(options.sql);
  const insertAll = db.transaction((rows: unknown[][]) => {
    const inserted: string[] = [];
    for (const row of rows) if (insert.run(...row).changes > 0) inserted.push(row[0] as string);
    return inserted;
  });
  let lastCheckpoint = Date.now();
  parentPort!.on('message', ({ seq, rows }: { seq: number; rows: unknown[][] }) => {
    try {
      // IMMEDIATE takes the write lock up front, so the busy timeout (not an instant SQLITE_BUSY) applies.
      parentPort!.postMessage({ seq, inserted: insertAll.immediate(rows) });
    } catch (error) {
      parentPort!.postMessage({ seq, error: error instanceof Error ? error.message : String(error) });
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
