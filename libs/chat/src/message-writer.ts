import { Injectable } from '@nestjs/common';
import { newId } from '@numerai/database';
import { ChatMessageEntity } from './chat-message.entity';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { ChatMessagesRepository, type StoredPosition } from './chat-messages.repository';

export interface NewMessage {
  consultationId: string;
  senderId: string;
  content: string;
  clientId: string | null;
  /** A lifecycle step the consultation reports (a `system` message); absent for what a participant wrote. */
  event?: string;
}

export interface StoredMessage {
  message: ChatMessageEntity;
  /** False when an earlier frame with the same client_id had already stored it. */
  created: boolean;
}

interface Pending {
  row: ChatMessageEntity;
  waiters: { resolve(result: StoredMessage): void; reject(error: unknown): void }[];
}

/** Largest batch in one INSERT: well under SQLite's bound-parameter limit (8 columns a row). */
const MAX_BATCH = 500;
/**
 * Most stored messages announced in one event-loop turn. Storing happens off the event loop, so
 * a batch can fill up to MAX_BATCH; announced at once, a busy room's members would each get it
 * in one burst (hundreds of KB) that no socket drains within a turn, and a reader that is
 * keeping up would look like a slow consumer. Between slices the sockets drain.
 */
const ANNOUNCE_SLICE = 32;
/**
 * Batches committing at once. Each is one round trip on its own pooled connection (PostgreSQL)
 * or one request queued to the SQLite writer thread, so a batch no longer waits for the whole
 * previous commit, only for its own consultations' (see takeBatch).
 */
const MAX_IN_FLIGHT = 4;

/**
 * Group commit without a window: a batch is whatever arrived while the previous one was being
 * committed (and within the current event-loop turn), stored by one transaction and
 * acknowledged only after it has committed. An idle writer stores a lone message at once;
 * under load the batches grow by themselves, as long as a commit takes. The database
 * numbers them (`seq`) in the order of `store` calls, after whatever any instance stored
 * before; `seq` and `created_at` on the acknowledged row are the stored ones.
 */
@Injectable()
export class MessageWriter {
  private readonly logger: ContextLogger;
  private queue: Pending[] = [];
  /** Pending rows by idempotency key, so a duplicate inside one batch shares the first one's fate. */
  private byKey = new Map<string, Pending>();
  /** Consultations with a batch committing now. */
  private readonly committing = new Set<string>();
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly repository: ChatMessagesRepository,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('MessageWriter');
  }

  store(input: NewMessage): Promise<StoredMessage> {
    return new Promise((resolve, reject) => {
      const key = input.clientId ? keyOf(input) : undefined;
      const existing = key ? this.byKey.get(key) : undefined;
      if (existing) {
        existing.waiters.push({ resolve: (r) => resolve({ message: r.message, created: false }), reject });
        return;
      }
      const pending: Pending = {
        row: Object.assign(new ChatMessageEntity(), {
          id: newId(),
          consultationId: input.consultationId,
          senderId: input.senderId,
          content: input.content,
          messageType: input.event ? 'system' : 'text',
          event: input.event ?? null,
          clientId: input.clientId,
          // Both replaced by what the database fixed when the row is stored.
          seq: 0,
          createdAt: new Date(),
        }),
        waiters: [{ resolve, reject }],
      };
      this.queue.push(pending);
      if (key) this.byKey.set(key, pending);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // After this turn's I/O callbacks, so the frames that arrived together share the commit
    // (it costs more than all its inserts); no timer, so nothing waits when nothing else does.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Starts batches while fewer than MAX_IN_FLIGHT are committing and something can go. */
  private flush(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.takeBatch();
      if (batch.length === 0) return; // all that waits belongs to consultations being committed
      void this.run(batch);
    }
  }

  /**
   * The oldest waiting rows whose consultation has no batch committing: one consultation is in
   * one batch at a time, so its rows are numbered and announced in the order they were sent,
   * while other consultations' batches commit beside it. A skipped row's consultation stays
   * skipped for the rest of the scan, so no later row of it can overtake it.
   */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const waiting: Pending[] = [];
    const skipped = new Set<string>();
    for (const pending of this.queue) {
      const consultation = pending.row.consultationId;
      if (batch.length < MAX_BATCH && !this.committing.has(consultation) && !skipped.has(consultation)) {
        batch.push(pending);
      } else {
        skipped.add(consultation);
        waiting.push(pending);
      }
    }
    this.queue = waiting;
    for (const pending of batch) {
      this.committing.add(pending.row.consultationId);
      if (pending.row.clientId) this.byKey.delete(keyOf(pending.row));
    }
    return batch;
  }

  private async run(batch: Pending[]): Promise<void> {
    this.inFlight++;
    try {
      await this.commit(batch);
    } catch (error) {
      this.logger.warn(`storing ${batch.length} chat message(s) failed: ${(error as Error).message}`);
      for (const pending of batch) for (const waiter of pending.waiters) waiter.reject(error);
    } finally {
      this.inFlight--;
      for (const pending of batch) this.committing.delete(pending.row.consultationId);
      if (this.queue.length > 0) this.schedule();
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    let inserted: Map<string, StoredPosition>;
    try {
      inserted = await this.repository.insertBatch(batch.map((pending) => pending.row));
    } catch (error) {
      if (batch.length === 1) throw error;
      // The batch is one statement, so nothing was stored: each row goes again alone, and a row the
      // database refuses (PostgreSQL on U+0000, an over-long value) fails only its own sender.
      for (const pending of batch) {
        try {
          await this.commit([pending]);
        } catch (rowError) {
          this.logger.warn(`storing a chat message failed: ${(rowError as Error).message}`);
          for (const waiter of pending.waiters) waiter.reject(rowError);
        }
      }
      return;
    }
    for (const [i, pending] of batch.entries()) {
      if (i > 0 && i % ANNOUNCE_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
      const { row } = pending;
      const position = inserted.get(row.id);
      if (position) Object.assign(row, position);
      // Not inserted means its client_id was stored before: answer with that row (and its seq) instead.
      const winner = position
        ? row
        : row.clientId
          ? await this.repository.findByClientKey({
              consultationId: row.consultationId,
              senderId: row.senderId,
              clientId: row.clientId,
            })
          : null;
      if (!winner) {
        for (const waiter of pending.waiters) waiter.reject(new Error('message was neither inserted nor found'));
        continue;
      }
      const created = winner === row;
      pending.waiters.forEach((waiter, i) => waiter.resolve({ message: winner, created: created && i === 0 }));
    }
  }
}

function keyOf(row: Pick<ChatMessageEntity, 'consultationId' | 'senderId' | 'clientId'>): string {
  return `${row.consultationId}\u0000${row.senderId}\u0000${row.clientId}`;
}
