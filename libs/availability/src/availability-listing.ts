import { Injectable } from '@nestjs/common';
import { AppConfig } from '@numerai/config';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { AvailabilityLimits, type AvailableNumerologist, type ServerFrameMap } from '@numerai/protocol';
import { type AvailableRow, AvailabilityRepository } from './availability.repository';

/** Most numerologists one instance keeps listed: a bound on its memory and on a full reload. */
export const MAX_LISTED = 10_000;
/** Ids read back per query when changes are applied. */
const READ_BATCH = 500;

export type AvailabilityChange = ServerFrameMap['availability_changed'];

/**
 * This instance's copy of the public listing (who is available, with name and rate), kept while
 * it serves `/ws/availability/` sockets, and the order everything about it happens in.
 *
 * A change event carries only an id; the row is read again, so whichever instance wrote it and
 * in whatever order events arrive, the last read (made after the last write) wins. Reads,
 * snapshots and pages run one at a time through one queue: what a socket is sent is always at
 * least as new as what it was sent before, and a snapshot covers every change applied before it.
 * Someone never listed is never mentioned: a leave is only told about an id this copy listed.
 */
@Injectable()
export class AvailabilityListing {
  private readonly logger: ContextLogger;
  /** By id; null while nobody here reads the listing (changes are not heard then, so it would go stale). */
  private listed: Map<string, AvailableRow> | null = null;
  private readonly dirty = new Set<string>();
  private flushQueued = false;
  private queue: Promise<void> = Promise.resolve();
  private readonly listeners: ((change: AvailabilityChange) => void)[] = [];
  private capWarned = false;

  constructor(
    private readonly availability: AvailabilityRepository,
    private readonly config: AppConfig,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('AvailabilityListing');
  }

  /** `listener` hears each change of the listing, in order, once this copy applied it. */
  onChange(listener: (change: AvailabilityChange) => void): void {
    this.listeners.push(listener);
  }

  /** A numerologist's row was written somewhere: read it again (coalesced with other ids waiting). */
  touched(userId: string): void {
    if (!this.listed) return;
    this.dirty.add(userId);
    this.scheduleFlush();
  }

  /** Events may have been lost (the bus reconnected): read everything again, and tell what differs. */
  reload(): void {
    // Failures are logged by the queue; the next change or reload tries again.
    void this.enqueue(async () => {
      if (this.listed) await this.load();
    });
  }

  /** Nobody here reads the listing any more: drop the copy (it would no longer hear changes). */
  forget(): void {
    void this.enqueue(async () => {
      this.listed = null;
      this.dirty.clear();
    });
  }

  /**
   * Calls `reader` with the page of the listing after `cursor` (the copy loaded and current), in
   * the queue: whatever `reader` sends goes out after every change applied before and before any after.
   */
  page(
    cursor: string | undefined,
    reader: (items: AvailableNumerologist[], nextCursor?: string) => void,
  ): Promise<void> {
    return this.enqueue(async () => {
      if (!this.listed) await this.load();
      const ids = [...this.listed!.keys()].filter((id) => !cursor || id > cursor).sort();
      const size = AvailabilityLimits.pageSize;
      const items = ids.slice(0, size).map((id) => this.view(this.listed!.get(id)!));
      reader(items, ids.length > size ? items[items.length - 1].user_id : undefined);
    });
  }

  /** Loads the whole listing (bounded) and applies it as a change of every id listed before or now. */
  private async load(): Promise<void> {
    const first = !this.listed;
    const ids = new Set(this.listed?.keys());
    this.listed ??= new Map();
    try {
      let after: string | undefined;
      for (let read = 0; read < MAX_LISTED; read += READ_BATCH) {
        const rows = await this.availability.availablePage(after, READ_BATCH);
        for (const row of rows.slice(0, READ_BATCH)) ids.add(row.userId);
        if (rows.length <= READ_BATCH) break;
        after = rows[READ_BATCH - 1].userId;
      }
      await this.apply([...ids]);
    } catch (error) {
      // A first load half done is no listing: the next reader loads it again. A reload keeps
      // what it applied (each difference was announced as it was applied).
      if (first) this.listed = null;
      throw error;
    }
  }

  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    void this.enqueue(async () => {
      this.flushQueued = false;
      const ids = [...this.dirty];
      this.dirty.clear();
      if (this.listed) await this.apply(ids);
    });
  }

  /** Reads `ids` again and announces each difference from the copy. */
  private async apply(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += READ_BATCH) {
      for (const state of await this.availability.states(ids.slice(i, i + READ_BATCH))) {
        const before = this.listed!.get(state.userId);
        if (state.listed) {
          if (before && before.rateMinor === state.listed.rateMinor && before.fullName === state.listed.fullName)
            continue;
          if (!before && this.listed!.size >= MAX_LISTED) {
            this.warnCap();
            continue;
          }
          this.listed!.set(state.userId, state.listed);
          this.announce({ ...this.view(state.listed), status: 'available' });
        } else if (before) {
          this.listed!.delete(state.userId);
          // Blocked while shown available: to the listing, that is offline.
          this.announce({ ...this.view(before), status: state.status === 'busy' ? 'busy' : 'offline' });
        }
      }
    }
  }

  private announce(change: Omit<AvailabilityChange, 'type'>): void {
    const frame: AvailabilityChange = { type: 'availability_changed', ...change };
    for (const listener of this.listeners) listener(frame);
  }

  private view(row: AvailableRow): AvailableNumerologist {
    return {
      user_id: row.userId,
      full_name: row.fullName,
      rate_minor: row.rateMinor,
      currency: this.config.wallet.currency,
    };
  }

  /** Runs `work` after everything queued before it; a failure is logged and the queue goes on. */
  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work);
    this.queue = run.catch((error: unknown) => this.logger.error(error instanceof Error ? error : String(error)));
    return run;
  }

  private warnCap(): void {
    if (this.capWarned) return;
    this.capWarned = true;
    this.logger.warn(`more than ${MAX_LISTED} numerologists available: the live listing shows the first ${MAX_LISTED}`);
  }
}
