import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '@numerai/database';
import { InsertedRow, SqliteInsertThread } from './sqlite-insert-thread';
import { SCHEMA } from '../../../apps/api/src/schema';

const row = (id: string, clientId: string | null, content: string | null = `text ${id}`, consultation = 'c-one') => [
  id,
  consultation,
  'sender',
  content,
  'text',
  clientId,
  null,
];
const ids = (inserted: InsertedRow[]) => inserted.map(([id]) => id);

describe('SqliteInsertThread', () => {
  let dir: string;
  let dataSource: DataSource;
  let thread: SqliteInsertThread;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'numerai-insert-thread-'));
    const path = join(dir, 'numerai.sqlite');
    dataSource = await new DataSource(dataSourceOptions({ kind: 'sqlite', path }, SCHEMA)).initialize();
    await runMigrations(dataSource);
    // The rows below point at consultations and a sender: foreign keys want them to exist, and
    // each open consultation needs its own client (one open consultation per pair).
    for (const id of ['sender', 'other']) {
      await dataSource.query(
        `INSERT INTO users (id, email, password_hash, full_name, role, created_at) VALUES (?, ?, 'h', 'n', 'user', '2026-11-25 00:00:00.000')`,
        [id, `${id}@x.test`],
      );
    }
    for (const [id, client] of [
      ['c-one', 'sender'],
      ['c-two', 'other'],
    ]) {
      await dataSource.query(
        `INSERT INTO consultations (id, user_id, numerologist_id, status, created_at) VALUES (?, ?, 'sender', 'active', '2026-01-01 00:00:00.000')`,
        [id, client],
      );
    }
    thread = new SqliteInsertThread(path);
  });

  afterEach(async () => {
    await thread.close();
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const storedIds = async () =>
    ((await dataSource.query('SELECT id FROM chat_messages ORDER BY id')) as { id: string }[]).map((r) => r.id);

  it('commits a batch before it resolves, and reports which rows it inserted', async () => {
    const inserted = await thread.insertAll([row('m1', 'c1'), row('m2', 'c2'), row('m3', null)]);
    expect(ids(inserted)).toEqual(['m1', 'm2', 'm3']);
    // Read through TypeORM's own connection: committed, not just written.
    expect(await storedIds()).toEqual(['m1', 'm2', 'm3']);
  });

  it('skips a row whose client_id is already stored, inside a batch and across batches', async () => {
    await thread.insertAll([row('m1', 'same')]);
    const inserted = await thread.insertAll([row('m2', 'same'), row('m3', 'other'), row('m4', 'other')]);
    expect(ids(inserted)).toEqual(['m3']);
    expect(await storedIds()).toEqual(['m1', 'm3']);
  });

  it('fails a batch the database refuses as a whole: nothing of it is stored', async () => {
    await expect(thread.insertAll([row('m1', 'c1'), ['m2', 'c-one']])).rejects.toThrow(/parameter/);
    expect(await storedIds()).toEqual([]);
    expect(ids(await thread.insertAll([row('m3', 'c3')]))).toEqual(['m3']);
  });

  it('fails the batches a dead thread held, and starts a new thread for the next one', async () => {
    await thread.insertAll([row('m1', 'c1')]);
    const worker = (thread as unknown as { worker: { terminate(): Promise<number> } }).worker;
    const pending = thread.insertAll([row('m2', 'c2')]);
    await worker.terminate();
    // The batch may have committed before the thread died; either way its sender hears of it.
    await pending.then(
      (inserted) => expect(ids(inserted)).toEqual(['m2']),
      (error: Error) => expect(error.message).toMatch(/exited/),
    );
    expect(ids(await thread.insertAll([row('m3', 'c3')]))).toEqual(['m3']);
  });

  it('lets batches already sent commit on close, and refuses later ones', async () => {
    const pending = thread.insertAll([row('m1', 'c1')]);
    await thread.close();
    expect(ids(await pending)).toEqual(['m1']);
    await expect(thread.insertAll([row('m2', 'c2')])).rejects.toThrow(/closed/);
  });

  it('numbers each consultation 1, 2, 3 … across batches; a skipped resend takes no number', async () => {
    const first = await thread.insertAll([row('a1', 'k1'), row('b1', null, 'x', 'c-two'), row('a2', null)]);
    expect(first.map(([id, seq]) => [id, seq])).toEqual([
      ['a1', 1],
      ['b1', 1],
      ['a2', 2],
    ]);
    const second = await thread.insertAll([row('a3', 'k1'), row('a4', null), row('b2', null, 'y', 'c-two')]);
    expect(second.map(([id, seq]) => [id, seq])).toEqual([
      ['a4', 3],
      ['b2', 2],
    ]);
    expect(await dataSource.query('SELECT id, last_seq FROM consultations ORDER BY id')).toEqual([
      { id: 'c-one', last_seq: 3 },
      { id: 'c-two', last_seq: 2 },
    ]);
  });

  it('never stamps a message earlier than the one before it in its consultation', async () => {
    await thread.insertAll([row('a1', null)]);
    const future = '2099-01-01 00:00:00.000';
    await dataSource.query(`UPDATE chat_messages SET created_at = ? WHERE id = 'a1'`, [future]);
    const [[, seq, at]] = await thread.insertAll([row('a2', null)]);
    expect([seq, at]).toEqual([2, future]);
  });

  it('stores nothing for a consultation that does not exist', async () => {
    expect(await thread.insertAll([row('x1', null, 'x', 'c-none')])).toEqual([]);
    expect(await storedIds()).toEqual([]);
  });
});
