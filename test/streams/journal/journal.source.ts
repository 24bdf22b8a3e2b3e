import { randomUUID } from 'node:crypto';
import { Controller, Get, Injectable, OnModuleInit, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AfterSeqQuery, CurrentUser, type Principal } from '@numerai/common';
import type { StreamItemOf } from '@numerai/protocol';
import { type DeclaredStreamSource, StreamModule, StreamPublisher } from '@numerai/realtime';
import { journalStream } from './journal.stream';

type JournalEntry = StreamItemOf<typeof journalStream>;

/**
 * Where the journal is stored and read back from: a table of its own (created here, the suite
 * needs no migration), each entry numbered after the user's last. A concurrent writer that took
 * the same number fails the unique key and tries the next, so a later position is committed only
 * after every earlier one — what StreamDelivery's gap filling relies on.
 */
@Injectable()
export class JournalSource implements DeclaredStreamSource<JournalEntry>, OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: StreamPublisher,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.db.query(
      `CREATE TABLE IF NOT EXISTS test_journal (id varchar(36) PRIMARY KEY, user_id varchar(36) NOT NULL,
       seq integer NOT NULL, text varchar(200) NOT NULL, UNIQUE (user_id, seq))`,
    );
  }

  /** Stores an entry and announces it: every instance's readers of the user's journal get it. */
  async write(userId: string, text: string): Promise<JournalEntry> {
    const id = randomUUID();
    for (let attempt = 0; ; attempt++) {
      try {
        const [row] = (await this.db.query(
          `INSERT INTO test_journal (id, user_id, seq, text)
           SELECT ${this.p(1)}, ${this.p(2)}, COALESCE(MAX(seq), 0) + 1, ${this.p(3)} FROM test_journal WHERE user_id = ${this.p(4)}
           RETURNING seq`,
          [id, userId, text, userId],
        )) as { seq: number }[];
        const entry = { id, text, seq: Number(row.seq) };
        this.publisher.stored(journalStream, userId, entry);
        return entry;
      } catch (error) {
        if (attempt >= 20 || !/unique|duplicate/i.test(String(error))) throw error;
      }
    }
  }

  async head(userId: string): Promise<number> {
    const [row] = (await this.db.query(
      `SELECT COALESCE(MAX(seq), 0) AS head FROM test_journal WHERE user_id = ${this.p(1)}`,
      [userId],
    )) as { head: number }[];
    return Number(row.head);
  }

  async after(userId: string, afterSeq: number, limit: number): Promise<JournalEntry[]> {
    const rows = (await this.db.query(
      `SELECT id, text, seq FROM test_journal WHERE user_id = ${this.p(1)} AND seq > ${this.p(2)} ORDER BY seq LIMIT ${this.p(3)}`,
      [userId, afterSeq, limit],
    )) as JournalEntry[];
    return rows.map((row) => ({ id: row.id, text: row.text, seq: Number(row.seq) }));
  }

  async seqOf(userId: string, id: string): Promise<number | undefined> {
    const [row] = (await this.db.query(
      `SELECT seq FROM test_journal WHERE user_id = ${this.p(1)} AND id = ${this.p(2)}`,
      [userId, id],
    )) as { seq: number }[];
    return row ? Number(row.seq) : undefined;
  }

  /** The n-th bound parameter, as each engine spells it. */
  private p(n: number): string {
    return this.db.options.type === 'postgres' ? `$${n}` : '?';
  }
}

/** The declared REST page: the entries after a position, oldest first. */
@Controller(journalStream.page.path.slice(1))
export class JournalController {
  constructor(private readonly journal: JournalSource) {}

  @Get()
  async page(@CurrentUser() user: Principal, @Query() query: AfterSeqQuery) {
    const limit = query.limit ?? journalStream.page.size;
    const rows = await this.journal.after(user.id, query.after_seq ?? 0, limit + 1);
    const items = rows.slice(0, limit);
    return { items, next_before: null, next_after_seq: rows.length > limit ? items[items.length - 1].seq : null };
  }
}

/** The journal's server side: its declaration and this source, and nothing else. */
export const JournalModule = {
  ...StreamModule.forStream(journalStream, JournalSource),
  controllers: [JournalController],
};
