import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '@numerai/database';
import { SqliteInsertThread } from './sqlite-insert-thread';

const SQL =
  'INSERT OR IGNORE INTO chat_messages (id, consultation_id, sender_id, content, message_type, client_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)';
const row = (id: string, clientId: string | null, content: string | null = `text ${id}`) => [
  id,
  'consultation',
  'sender',
  content,
  'text',
  clientId,
  '2026-11-25 00:00:00.000',
];

describe('SqliteInsertThread', () => {
  let dir: string;
  let dataSource: DataSource;
  let thread: SqliteInsertThread;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'numerai-insert-thread-'));
    const path = join(dir, 'numerai.sqlite');
    dataSource = await new DataSource(dataSourceOptions({ kind: 'sqlite', path })).initialize();
    await runMigrations(dataSource);
    // The rows below point at a consultation and a sender: foreign keys want them to exist.
    await dataSource.query(
      "INSERT INTO users (id, email, password_hash, full_name, role, created_at) VALUES ('sender', 'sender@x.test', 'h', 'n', 'user', '2026-11-25 00:00:00.000')",
    );
    await dataSource.query(
      "INSERT INTO consultations (id, user_id, numerologist_id, status, created_at) VALUES ('consultation', 'sender', 'sender', 'active', '2026-11-25 00:00:00.000')",
    );
    thread = new SqliteInsertThread(path, SQL);
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
    expect([...inserted].sort()).toEqual(['m1', 'm2', 'm3']);
    // Read through TypeORM's own connection: committed, not just written.
    expect(await storedIds()).toEqual(['m1', 'm2', 'm3']);
  });

  it('skips a row whose client_id is already stored, inside a batch and across batches', async () => {
    await thread.insertAll([row('m1', 'same')]);
    const inserted = await thread.insertAll([row('m2', 'same'), row('m3', 'other'), row('m4', 'other')]);
    expect([...inserted]).toEqual(['m3']);
    expect(await storedIds()).toEqual(['m1', 'm3']);
  });

  it('fails a batch the database refuses as a whole: nothing of it is stored', async () => {
    await expect(thread.insertAll([row('m1', 'c1'), ['m2', 'c2']])).rejects.toThrow(/parameter/);
    expect(await storedIds()).toEqual([]);
    expect([...(await thread.insertAll([row('m3', 'c3')]))]).toEqual(['m3']);
  });

  it('fails the batches a dead thread held, and starts a new thread for the next one', async () => {
    await thread.insertAll([row('m1', 'c1')]);
    const worker = (thread as unknown as { worker: { terminate(): Promise<number> } }).worker;
    const pending = thread.insertAll([row('m2', 'c2')]);
    await worker.terminate();
    // The batch may have committed before the thread died; either way its sender hears of it.
    await pending.then(
      (inserted) => expect([...inserted]).toEqual(['m2']),
      (error: Error) => expect(error.message).toMatch(/exited/),
    );
    expect([...(await thread.insertAll([row('m3', 'c3')]))]).toEqual(['m3']);
  });

  it('lets batches already sent commit on close, and refuses later ones', async () => {
    const pending = thread.insertAll([row('m1', 'c1')]);
    await thread.close();
    expect([...(await pending)]).toEqual(['m1']);
    await expect(thread.insertAll([row('m2', 'c2')])).rejects.toThrow(/closed/);
  });
});
