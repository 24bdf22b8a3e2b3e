import { captureLogs } from '@numerai/logging';
import type { ChatMessageEntity } from './chat-message.entity';
import type { ChatMessagesRepository, StoredPosition } from './chat-messages.repository';
import { MessageWriter, type NewMessage } from './message-writer';

/**
 * The group commit's scheduling, against a repository the test answers by hand: what goes in
 * which batch, and when. (The SQL itself is covered by the e2e suites on both engines.)
 */
class HeldRepository {
  readonly batches: { rows: ChatMessageEntity[]; commit(): void }[] = [];
  private readonly seqs = new Map<string, number>();

  insertBatch(rows: ChatMessageEntity[]): Promise<Map<string, StoredPosition>> {
    return new Promise((resolve) => {
      this.batches.push({
        rows,
        commit: () => {
          const stored = new Map<string, StoredPosition>();
          for (const row of rows) {
            const seq = (this.seqs.get(row.consultationId) ?? 0) + 1;
            this.seqs.set(row.consultationId, seq);
            stored.set(row.id, { seq, createdAt: new Date() });
          }
          resolve(stored);
        },
      });
    });
  }
}

const message = (consultationId: string, content: string): NewMessage => ({
  consultationId,
  senderId: 'sender',
  content,
  clientId: null,
});
const contents = (rows: ChatMessageEntity[]) => rows.map((row) => row.content);
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
/** A commit's continuation schedules the next batch for the turn after the one a test awaits first. */
const afterCommit = async () => {
  await nextTurn();
  await nextTurn();
};

describe('MessageWriter', () => {
  let repository: HeldRepository;
  let writer: MessageWriter;

  beforeEach(() => {
    repository = new HeldRepository();
    writer = new MessageWriter(repository as unknown as ChatMessagesRepository, captureLogs().loggers);
  });

  it('stores a lone message in the next turn, with no window to wait out', async () => {
    const stored = writer.store(message('c1', 'hello'));
    await nextTurn();
    expect(repository.batches.map((batch) => contents(batch.rows))).toEqual([['hello']]);
    repository.batches[0].commit();
    await expect(stored).resolves.toMatchObject({ created: true, message: { seq: 1, content: 'hello' } });
  });

  it('puts what arrived in one turn into one batch', async () => {
    const all = ['a', 'b', 'c'].map((text) => writer.store(message('c1', text)));
    await nextTurn();
    expect(repository.batches.map((batch) => contents(batch.rows))).toEqual([['a', 'b', 'c']]);
    repository.batches[0].commit();
    expect((await Promise.all(all)).map((result) => result.message.seq)).toEqual([1, 2, 3]);
  });

  it('commits other consultations beside a batch in flight, and holds a consultation until its batch has committed', async () => {
    const first = writer.store(message('c1', 'c1 first'));
    await nextTurn();
    // c1 is committing: its next message waits, c2's goes at once in a batch of its own.
    const second = writer.store(message('c1', 'c1 second'));
    const other = writer.store(message('c2', 'c2 only'));
    await nextTurn();
    expect(repository.batches.map((batch) => contents(batch.rows))).toEqual([['c1 first'], ['c2 only']]);
    repository.batches[1].commit();
    await expect(other).resolves.toMatchObject({ message: { seq: 1 } });
    await nextTurn();
    expect(repository.batches).toHaveLength(2); // c1's second still waits for its first
    repository.batches[0].commit();
    await expect(first).resolves.toMatchObject({ message: { seq: 1 } });
    await nextTurn();
    expect(contents(repository.batches[2].rows)).toEqual(['c1 second']);
    repository.batches[2].commit();
    await expect(second).resolves.toMatchObject({ message: { seq: 2 } });
  });

  it('never lets a later message of a waiting consultation overtake an earlier one', async () => {
    void writer.store(message('c1', 'm1'));
    await nextTurn();
    const waiting = ['m2', 'x1', 'm3'].map((text) => writer.store(message(text.startsWith('m') ? 'c1' : 'c2', text)));
    await nextTurn();
    expect(contents(repository.batches[1].rows)).toEqual(['x1']);
    repository.batches[0].commit();
    await afterCommit();
    expect(contents(repository.batches[2].rows)).toEqual(['m2', 'm3']);
    repository.batches[1].commit();
    repository.batches[2].commit();
    expect((await Promise.all(waiting)).map((result) => result.message.seq)).toEqual([2, 1, 3]);
  });

  it('keeps at most four batches committing at once', async () => {
    for (let i = 0; i < 5; i++) {
      void writer.store(message(`c${i}`, `m${i}`));
      await nextTurn();
    }
    expect(repository.batches.map((batch) => contents(batch.rows))).toEqual([['m0'], ['m1'], ['m2'], ['m3']]);
    repository.batches[2].commit();
    await afterCommit();
    expect(repository.batches.map((batch) => contents(batch.rows))).toEqual([['m0'], ['m1'], ['m2'], ['m3'], ['m4']]);
  });
});
