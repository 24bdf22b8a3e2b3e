import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import { isUniqueViolation, NotificationDeliveryEntity } from '@numerai/database';
import { Clock } from './clock';

/** One notification a job found due: who gets it, under which dedupe key, and how to send it. */
export interface DueDelivery {
  key: string;
  userId: string;
  send: () => Promise<string | null>;
}

/**
 * A claim nobody completed in this long is taken to be from an instance that died between
 * claiming and storing, and may be taken over. Long enough that clocks of instances need
 * not agree closely; it only matters after a crash.
 */
const CLAIM_LEASE_MS = 5 * 60_000;

/**
 * Exactly-once for scheduled notifications, kept by the database: the instance whose insert
 * of the dedupe key succeeds sends; any other run (another instance, an overlapping tick,
 * a restart) finds the key and skips.
 */
@Injectable()
export class DeliveryLedger {
  constructor(
    @InjectRepository(NotificationDeliveryEntity) private readonly rows: Repository<NotificationDeliveryEntity>,
    private readonly clock: Clock,
  ) {}

  /** Of these keys, those already delivered or being delivered (one query, to skip them cheaply). */
  async taken(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.rows.find({ select: { dedupeKey: true }, where: { dedupeKey: In(keys) } });
    return new Set(rows.map((row) => row.dedupeKey));
  }

  /**
   * Runs `send` only if this call claims `key`; `send` returns the stored notification's id
   * (null if the user's preferences suppressed it). If `send` fails the claim is released so a
   * later run retries. Returns whether this call sent.
   */
  async once(key: string, userId: string, send: () => Promise<string | null>): Promise<boolean> {
    if (!(await this.claim(key, userId))) return false;
    let notificationId: string | null;
    try {
      notificationId = await send();
    } catch (error) {
      await this.rows.delete({ dedupeKey: key, completedAt: IsNull() });
      throw error;
    }
    await this.rows.update({ dedupeKey: key }, { notificationId, completedAt: this.clock.now() });
    return true;
  }

  /** `once` for each of a batch, skipping (with one query) the keys already taken. */
  async onceEach(items: DueDelivery[]): Promise<void> {
    const taken = await this.taken(items.map((item) => item.key));
    for (const item of items) {
      if (!taken.has(item.key)) await this.once(item.key, item.userId, item.send);
    }
  }

  private async claim(key: string, userId: string): Promise<boolean> {
    const now = this.clock.now();
    try {
      await this.rows.insert({ dedupeKey: key, userId, notificationId: null, claimedAt: now, completedAt: null });
      return true;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const existing = await this.rows.findOneBy({ dedupeKey: key });
    if (!existing || existing.completedAt || now.getTime() - existing.claimedAt.getTime() < CLAIM_LEASE_MS) {
      return false;
    }
    // A stale claim: whoever moves claimed_at first takes it over (a conditional update has one winner).
    const result = await this.rows.update(
      { dedupeKey: key, completedAt: IsNull(), claimedAt: existing.claimedAt },
      { claimedAt: now },
    );
    return (result.affected ?? 0) > 0;
  }
}
