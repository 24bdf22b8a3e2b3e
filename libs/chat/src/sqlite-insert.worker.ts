/**
 * The chat writer thread (started by SqliteInsertThread, which says why): stores each batch it is
 * sent in one transaction on a connection of its own, numbering the rows, and answers with what it
 * inserted. Messages both ways are declared in sqlite-insert.protocol.ts.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { InsertedRow, InsertReply, InsertRequest, InsertThreadData } from './sqlite-insert.protocol';

if (!parentPort) throw new Error('sqlite-insert.worker runs only as a worker thread (see SqliteInsertThread)');
const port = parentPort;
const reply = (message: InsertReply) => port.postMessage(message);
const options = workerData as InsertThreadData;
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
  const inserted: InsertedRow[] = [];
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
port.on('message', ({ job, rows }: InsertRequest) => {
  try {
    // IMMEDIATE takes the write lock up front, so the busy timeout (not an instant SQLITE_BUSY) applies.
    reply({ job, inserted: insertAll.immediate(rows) });
  } catch (error) {
    reply({ job, error: error instanceof Error ? error.message : String(error) });
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
