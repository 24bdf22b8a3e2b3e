import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import { isUniqueViolation, newId } from '@numerai/database';
import { NotificationDeliveryEntity } from './notification-delivery.entity';
import { Clock } from './clock';

/** One notification a job found due: who gets it, under which dedupe key, and how to send it. */
export interface DueDelivery {
  key: string;
  userId: string;
  /** Stores the notification under `notificationId`; false if the user's preferences suppressed it. */
  send: (notificationId: string) => Promise<boolean>;
  /**
   * Whether a notification is stored under `notificationId` (a claimer that died after storing it,
   * before marking it done). Asked of the job, not of a table: the notifications are a feature's.
   */
  isStored: (notificationId: string) => Promise<boolean>;
}

/**
 * A claim not completed in this long is taken to be from an instance that died between
 * claiming and completing, and may be taken over. Correctness does not hang on it (nor on
 * clocks agreeing): the notification id is fixed at claim time, so a takeover either finds
 * the notification stored or stores it under that same id, which can only succeed once.
 */
const CLAIM_LEASE_MS = 30_000;

/**
 * Exactly-once for scheduled notifications, kept by the database: the run whose insert of
 * the dedupe key succeeds sends; any other run (another instance, an overlapping tick, a
 * restart) finds the key and skips. The claim records the notification's id before it is
 * stored, so a crash at any point neither loses it nor sends it twice.
 */
@Injectable()
export class DeliveryLedger {
  constructor(
    @InjectRepository(NotificationDeliveryEntity) private readonly rows: Repository<NotificationDeliveryEntity>,
    private readonly clock: Clock,
  ) {}

  /** Of these keys, those completed or freshly claimed (one query, to skip them cheaply). */
  async taken(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.rows.find({ where: { dedupeKey: In(keys) } });
    const now = this.clock.now().getTime();
    return new Set(rows.filter((row) => !this.isStale(row, now)).map((row) => row.dedupeKey));
  }

  /** `once` for each of a batch, skipping (with one query) the keys already taken. */
  async onceEach(items: DueDelivery[]): Promise<void> {
    const taken = await this.taken(items.map((item) => item.key));
    for (const item of items) {
      if (!taken.has(item.key)) await this.once(item);
    }
  }

  /** Sends `item` unless another run has (or is about to); returns whether this call sent it. */
  async once({ key, userId, send, isStored }: DueDelivery): Promise<boolean> {
    const notificationId = await this.claim(key, userId, isStored);
    if (!notificationId) return false;
    let stored: boolean;
    try {
      stored = await send(notificationId);
    } catch (error) {
      // Stored already by the claimer we took over from: that is the one delivery.
      if (!isUniqueViolation(error)) {
        await this.rows.delete({ dedupeKey: key, completedAt: IsNull() }); // let a later run retry
        throw error;
      }
      stored = true;
    }
    await this.complete(key, stored ? notificationId : null);
    return true;
  }

  /** The notification id to send under, or undefined if another run has this key. */
  private async claim(key: string, userId: string, isStored: DueDelivery['isStored']): Promise<string | undefined> {
    const now = this.clock.now();
    const notificationId = newId();
    try {
      await this.rows.insert({ dedupeKey: key, userId, notificationId, claimedAt: now, completedAt: null });
      return notificationId;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const existing = await this.rows.findOneBy({ dedupeKey: key });
    if (!existing || !this.isStale(existing, now.getTime())) return undefined;
    // A stale claim: whoever moves claimed_at first takes it over (a conditional update has one winner).
    const result = await this.rows.update(
      { dedupeKey: key, completedAt: IsNull(), claimedAt: existing.claimedAt },
      { claimedAt: now },
    );
    if ((result.affected ?? 0) === 0) return undefined;
    if (existing.notificationId && (await isStored(existing.notificationId))) {
      await this.complete(key, existing.notificationId); // the dead claimer stored it; only the mark was missing
      return undefined;
    }
    return existing.notificationId ?? undefined;
  }

  private async complete(key: string, notificationId: string | null): Promise<void> {
    await this.rows.update({ dedupeKey: key }, { notificationId, completedAt: this.clock.now() });
  }

  private isStale(row: NotificationDeliveryEntity, now: number): boolean {
    return !row.completedAt && now - row.claimedAt.getTime() >= CLAIM_LEASE_MS;
  }
}
