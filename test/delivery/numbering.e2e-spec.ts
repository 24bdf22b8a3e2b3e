import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ChatMessagesRepository, ChatMessageEntity } from '@numerai/chat';
import { loadConfig } from '@numerai/config';
import { dataSourceOptions, newId, runMigrations } from '@numerai/database';
import { createTestDatabase, TestDatabase } from '../support/database';
import { ENGINE } from '../support/rest-helpers';
import { SCHEMA } from '../../apps/api/src/schema';

/**
 * Numbering under concurrent writers, as several instances write: separate connection pools
 * (PostgreSQL) or separate writer threads on one file (SQLite), each storing batches into
 * the same consultations at once. Positions must come out 1..N exactly, per consultation.
 */
const WRITERS = 4;
const BATCHES_PER_WRITER = 12;

describe(`numbering under concurrent writers (${ENGINE})`, () => {
  let dataDir: string;
  let database: TestDatabase;
  const sources: DataSource[] = [];
  const repositories: ChatMessagesRepository[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'numerai-numbering-'));
    database = await createTestDatabase(dataDir);
    const config = loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'x'.repeat(32), ...database.env });
    for (let i = 0; i < WRITERS; i++) {
      const source = await new DataSource(dataSourceOptions(config.database, SCHEMA)).initialize();
      if (i === 0) await runMigrations(source);
      sources.push(source);
      repositories.push(new ChatMessagesRepository(source));
    }
  }, 60_000);

  afterAll(async () => {
    for (const repository of repositories) await repository.onApplicationShutdown();
    for (const source of sources) await source.destroy();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A users row: consultations and messages must point at real users (foreign keys). */
  const createUserRow = async () => {
    const id = newId();
    await sources[0]
      .createQueryBuilder()
      .insert()
      .into('users')
      .values({ id, email: `${id}@x.test`, passwordHash: 'h', fullName: 'n', role: 'user', createdAt: new Date() })
      .execute();
    return id;
  };

  const createConsultation = async () => {
    const id = newId();
    await sources[0]
      .createQueryBuilder()
      .insert()
      .into('consultations')
      .values({
        id,
        userId: await createUserRow(),
        numerologistId: await createUserRow(),
        status: 'active',
        createdAt: new Date(),
      })
      .execute();
    return id;
  };

  const message = (consultationId: string, senderId: string, clientId: string | null) =>
    Object.assign(new ChatMessageEntity(), {
      id: newId(),
      consultationId,
      senderId,
      content: 'hello',
      messageType: 'text',
      clientId,
      seq: 0,
      createdAt: new Date(),
    });

  it('N concurrent transactions into the same consultations number each 1..N exactly; resends take no number', async () => {
    const [one, two] = [await createConsultation(), await createConsultation()];
    const sender = await createUserRow();
    let expectedOne = 0;
    let expectedTwo = 0;
    const work: Promise<Map<string, { seq: number }>>[] = [];
    for (let b = 0; b < BATCHES_PER_WRITER; b++) {
      for (const [w, repository] of repositories.entries()) {
        // Batches of 1..5 rows over both consultations, in varying order, plus one resend every batch that
        // every writer sends at once (only one of them may store it).
        const rows = Array.from({ length: 1 + ((b + w) % 5) }, (_, i) => message(i % 2 ? two : one, sender, null));
        rows.push(message(one, sender, `same-${b}`));
        expectedOne += rows.filter((row) => row.consultationId === one && !row.clientId).length;
        expectedTwo += rows.filter((row) => row.consultationId === two).length;
        work.push(repository.insertBatch(b % 2 ? rows.reverse() : rows));
      }
      expectedOne += 1; // the resend, stored once
    }
    const results = await Promise.all(work);
    expect(results.reduce((sum, inserted) => sum + inserted.size, 0)).toBe(expectedOne + expectedTwo);

    const rows = (await sources[0].query(
      'SELECT consultation_id, seq, created_at FROM chat_messages ORDER BY consultation_id, seq',
    )) as { consultation_id: string; seq: number; created_at: string | Date }[];
    const seqs = (id: string) => rows.filter((row) => row.consultation_id === id).map((row) => Number(row.seq));
    expect(seqs(one)).toEqual(Array.from({ length: expectedOne }, (_, i) => i + 1));
    expect(seqs(two)).toEqual(Array.from({ length: expectedTwo }, (_, i) => i + 1));
    // Time never runs backwards along seq.
    for (const id of [one, two]) {
      const times = rows.filter((row) => row.consultation_id === id).map((row) => new Date(row.created_at).getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    const counters = (await sources[0].query('SELECT id, last_seq FROM consultations')) as {
      id: string;
      last_seq: number;
    }[];
    expect(Object.fromEntries(counters.map((row) => [row.id, Number(row.last_seq)]))).toEqual({
      [one]: expectedOne,
      [two]: expectedTwo,
    });
  }, 60_000);
});
