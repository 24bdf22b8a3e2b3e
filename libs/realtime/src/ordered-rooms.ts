import type { ContextLogger } from '@numerai/logging';

/** Where a positioned stream (a consultation's messages, a user's notifications) is read back from. */
export interface PositionSource<T> {
  /** The newest stored position of the stream now (0 when empty). */
  head(key: string): Promise<number>;
  /** Stored items with `seq > afterSeq`, oldest first, at most `limit`. */
  after(key: string, afterSeq: number, limit: number): Promise<T[]>;
}

export interface OrderedRoomsOptions<T> {
  /** Where this stream's troubles are logged (its owner's app; context e.g. `Ordered:chat`). */
  logger: ContextLogger;
  seqOf(item: T): number;
  source: PositionSource<T>;
  /** Sends one item to this instance's sockets of the stream, in order, once. */
  deliver(key: string, item: T, fromDatabase: boolean): void;
  /** How long an early arrival waits for the ones before it before they are read from the database. */
  holdMs?: number;
  /** Most early arrivals kept per stream; past it the gap is read from the database at once. */
  maxHeld?: number;
}

interface Room<T> {
  /** Local sockets reading the stream. */
  members: number;
  /** The next position to deliver; undefined until the start position is known. */
  next: number | undefined;
  held: Map<number, T>;
  timer: NodeJS.Timeout | undefined;
  reading: boolean;
  /** Resolves once `next` is known (or known to be unknowable). */
  ready: Promise<void>;
  markReady: () => void;
}

/** Largest gap read from the database at once; a longer one is read in several steps. */
const GAP_READ_LIMIT = 200;

/**
 * Per-stream ordering on one instance. Positions are fixed by the database, but the events
 * announcing them reach an instance in whatever order the instances storing them published:
 * `seq` n+2 from this instance can come before n+1 from another. Each stream this instance
 * has sockets for keeps the next position it expects: that one is delivered at once (with any
 * held successors); a later one is held until the missing ones arrive, or — after `holdMs`, or
 * when more than `maxHeld` wait — they are read from the database (a later position is
 * committed only after every earlier one, so they are there). Stale or repeated positions are
 * dropped. The expected position starts from the database when the first local socket joins
 * and is forgotten when the last leaves, so idle streams cost nothing.
 */
export class OrderedRooms<T> {
  private readonly rooms = new Map<string, Room<T>>();
  private readonly logger: ContextLogger;
  private readonly holdMs: number;
  private readonly maxHeld: number;

  constructor(private readonly options: OrderedRoomsOptions<T>) {
    this.logger = options.logger;
    this.holdMs = options.holdMs ?? 150;
    this.maxHeld = options.maxHeld ?? 256;
  }

  /**
   * A local socket starts reading `key`. Resolves with the first position it will be sent
   * live (everything after the join, in order, from there on): a catch-up replay must cover
   * what lies below it. 0 when that cannot be known (the database could not be read).
   */
  join(key: string): Promise<number> {
    const existing = this.rooms.get(key);
    if (existing) {
      existing.members++;
      if (existing.next !== undefined) return Promise.resolve(existing.next);
      return existing.ready.then(() => existing.next ?? 0);
    }
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const room: Room<T> = {
      members: 1,
      next: undefined,
      held: new Map(),
      timer: undefined,
      reading: true,
      ready,
      markReady,
    };
    this.rooms.set(key, room);
    this.options.source.head(key).then(
      (head) => this.started(key, room, head + 1),
      (error: unknown) => {
        this.logger.warn(`reading where ${key} stands failed: ${String(error)}`);
        // Without a start position, trust the first arrival rather than hold everything.
        this.started(key, room, undefined);
      },
    );
    return ready.then(() => room.next ?? 0);
  }

  /** A local socket stopped reading `key`. */
  leave(key: string): void {
    const room = this.rooms.get(key);
    if (!room || --room.members > 0) return;
    clearTimeout(room.timer);
    this.rooms.delete(key);
    room.markReady();
  }

  /** The position this instance delivers next on `key` (undefined while unknown or not served here). */
  expected(key: string): number | undefined {
    return this.rooms.get(key)?.next;
  }

  /** An item was stored (announced by whichever instance stored it). */
  accept(key: string, item: T): void {
    const room = this.rooms.get(key);
    if (!room) return; // nobody reads this stream here
    const seq = this.options.seqOf(item);
    if (room.next === undefined) {
      if (!room.reading) room.next = seq; // start unknown (its read failed): the first arrival sets it
    } else if (seq < room.next) {
      return; // delivered already (e.g. read from the database while this announcement travelled)
    }
    if (!room.held.has(seq)) room.held.set(seq, item);
    this.flush(key, room);
  }

  /**
   * The stream starts after the database's head — or earlier, at the first item announced
   * since the first socket joined: a joining socket's replay may have read the database
   * before those were committed, so they are delivered rather than taken as old (the
   * replaying socket drops what its replay covered; nobody else was here to have them).
   */
  private started(key: string, room: Room<T>, next: number | undefined): void {
    room.reading = false;
    if (this.rooms.get(key) !== room) return;
    const earliest = room.held.size > 0 ? Math.min(...room.held.keys()) : undefined;
    room.next = next === undefined ? earliest : earliest === undefined ? next : Math.min(next, earliest);
    room.markReady();
    this.flush(key, room);
  }

  private flush(key: string, room: Room<T>): void {
    if (room.next === undefined || room.reading) return;
    let item: T | undefined;
    while ((item = room.held.get(room.next)) !== undefined) {
      room.held.delete(room.next);
      room.next++;
      this.options.deliver(key, item, false);
    }
    if (room.held.size === 0) {
      clearTimeout(room.timer);
      room.timer = undefined;
      return;
    }
    if (room.held.size > this.maxHeld) {
      void this.fill(key, room);
      return;
    }
    if (!room.timer) {
      room.timer = setTimeout(() => {
        room.timer = undefined;
        void this.fill(key, room);
      }, this.holdMs);
      room.timer.unref();
    }
  }

  /** Reads the gap before the earliest held item from the database and delivers it. */
  private async fill(key: string, room: Room<T>): Promise<void> {
    if (room.reading || room.next === undefined || this.rooms.get(key) !== room) return;
    clearTimeout(room.timer);
    room.timer = undefined;
    room.reading = true;
    const from = room.next;
    const lowest = Math.min(...room.held.keys());
    let items: T[];
    try {
      items = await this.options.source.after(key, from - 1, Math.min(lowest - from, GAP_READ_LIMIT));
    } catch (error) {
      this.logger.warn(`reading a gap of ${key} failed: ${String(error)}`);
      room.reading = false;
      this.flush(key, room); // held items remain: tries again after holdMs
      return;
    }
    room.reading = false;
    if (this.rooms.get(key) !== room) return;
    for (const item of items) {
      const seq = this.options.seqOf(item);
      if (seq !== room.next) break;
      room.held.delete(seq);
      room.next++;
      this.options.deliver(key, item, true);
    }
    if (room.next === from && items.length === 0 && room.held.size > 0) {
      // The database has nothing there (it cannot happen while numbering holds): never stall the stream on it.
      this.logger.warn(`positions ${from}..${lowest - 1} of ${key} are not stored; skipping them`);
      room.next = lowest;
    }
    this.flush(key, room);
  }
}
