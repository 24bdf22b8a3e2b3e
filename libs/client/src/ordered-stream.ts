/** What the stream needs of an item: its id and, from servers that number them, its position. */
export interface PositionedItem {
  id: string;
  seq?: number;
}

/** Where a stream resumes: `seq` when the server numbers items, else the newest id seen. */
export interface ResumePoint {
  /** The highest `seq` up to which every item is held (no gap below it). */
  seq?: number;
  /** The newest item id delivered: the fallback for servers that send no `seq`. */
  id?: string;
}

export interface OrderedStreamLimits {
  /** Items held back behind a gap; beyond it the highest are dropped (a REST page or replay brings them again). */
  maxHeld: number;
  /** Item ids remembered to drop duplicates that carry no `seq`. */
  maxRememberedIds: number;
}

const DEFAULT_LIMITS: OrderedStreamLimits = { maxHeld: 1000, maxRememberedIds: 1000 };

/** A position as the protocol defines it: a positive safe integer. Anything else is treated as no position. */
export function validSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/**
 * One stream's order and resume point (a consultation's chat, a user's notifications): items go
 * out in `seq` order, each once; one that arrives past a gap is held until the gap is filled
 * (`offer` the missing items, from REST or a replay) or given up on (`release`). The resume point
 * only moves over items actually held, so a reconnect with `last_seq` asks again for anything missing.
 * Items without `seq` (an older server) are passed through in arrival order, de-duplicated by id.
 * Pure bookkeeping: no timers, no I/O.
 */
export class OrderedStream<T extends PositionedItem> {
  private resume: number | undefined;
  private newestId: string | undefined;
  /** Arrived past a gap, not delivered yet, by seq. */
  private readonly held = new Map<number, T>();
  /** Delivered past a gap that was given up on (`release`): duplicates of these are dropped too. */
  private readonly deliveredAbove = new Set<number>();
  private readonly seenIds = new Set<string>();
  private readonly limits: OrderedStreamLimits;

  constructor(start: ResumePoint = {}, limits: Partial<OrderedStreamLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    if (validSeq(start.seq) || start.seq === 0) this.resume = start.seq;
    this.newestId = start.id;
  }

  /** Where a reconnect should resume. */
  get resumePoint(): ResumePoint {
    return { seq: this.resume, id: this.newestId };
  }

  /** The missing range when an item waits behind a gap: everything after `after` up to `before` (exclusive). */
  get gap(): { after: number; before: number } | undefined {
    if (this.held.size === 0 || this.resume === undefined) return undefined;
    return { after: this.resume, before: Math.min(...this.held.keys()) };
  }

  /** True while items are delivered past a gap that was given up on; the next replay fills it. */
  get degraded(): boolean {
    return this.deliveredAbove.size > 0;
  }

  /** Takes one item (live, replayed or from REST) and returns what can be delivered now, in order. */
  offer(item: T): T[] {
    if (typeof item?.id !== 'string') return [];
    if (this.seenIds.has(item.id)) return [];
    const seq = item.seq;
    if (!validSeq(seq)) return [this.deliver(item)]; // A server without positions: arrival order is all there is.
    if (this.resume === undefined) {
      // Nothing held yet: the stream starts here (a fresh connection without a resume point).
      this.resume = seq - 1;
    }
    if (seq <= this.resume || this.deliveredAbove.has(seq) || this.held.has(seq)) return [];
    if (seq === this.resume + 1) {
      this.resume = seq;
      return [this.deliver(item), ...this.advance()];
    }
    if (this.degraded) {
      // The gap below was given up on: deliver at once and let the next replay bring what is missing.
      this.deliveredAbove.add(seq);
      this.trimDeliveredAbove();
      return [this.deliver(item)];
    }
    this.held.set(seq, item);
    if (this.held.size > this.limits.maxHeld) this.held.delete(Math.max(...this.held.keys()));
    return [];
  }

  /**
   * The caller holds every item up to `seq` already (e.g. the newest page of REST history): the
   * resume point moves there if that is further. Returns held items that became deliverable.
   */
  advanceTo(seq: number): T[] {
    if (!(validSeq(seq) || seq === 0) || (this.resume !== undefined && seq <= this.resume)) return [];
    this.resume = seq;
    for (const key of [...this.held.keys()]) if (key <= seq) this.held.delete(key);
    for (const key of [...this.deliveredAbove]) if (key <= seq) this.deliveredAbove.delete(key);
    return this.advance();
  }

  /**
   * Gives up on the current gap (it could not be filled): the held items are delivered in order,
   * and the resume point stays below the gap so that the next connection's replay brings it.
   */
  release(): T[] {
    const items = [...this.held.entries()].sort(([a], [b]) => a - b);
    this.held.clear();
    for (const [seq] of items) this.deliveredAbove.add(seq);
    this.trimDeliveredAbove();
    return items.map(([, item]) => this.deliver(item));
  }

  /** Forgets the id resume point (the server did not know it); `seq` is kept. */
  forgetId(): void {
    this.newestId = undefined;
  }

  private advance(): T[] {
    const out: T[] = [];
    for (;;) {
      const next = this.resume! + 1;
      const item = this.held.get(next);
      if (item) {
        this.held.delete(next);
        this.resume = next;
        out.push(this.deliver(item));
      } else if (this.deliveredAbove.delete(next)) {
        this.resume = next;
      } else {
        return out;
      }
    }
  }

  private deliver(item: T): T {
    this.seenIds.add(item.id);
    if (this.seenIds.size > this.limits.maxRememberedIds) {
      const oldest = this.seenIds.values().next().value;
      if (oldest !== undefined) this.seenIds.delete(oldest);
    }
    this.newestId = item.id;
    return item;
  }

  /** Bounded: past the limit, the lowest gap is written off and the resume point jumps over it. */
  private trimDeliveredAbove(): void {
    if (this.deliveredAbove.size <= this.limits.maxHeld) return;
    const lowest = Math.min(...this.deliveredAbove);
    this.deliveredAbove.delete(lowest);
    this.resume = lowest;
    this.advance();
  }
}
