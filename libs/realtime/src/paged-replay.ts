import { Injectable } from '@nestjs/common';
import { DomainError } from '@numerai/common';
import { AppConfig } from '@numerai/config';
import { type ContextLogger, LoggerFactory } from '@numerai/logging';
import { CloseCode, type ServerFrame } from '@numerai/protocol';
import { RequestBudget } from '@numerai/rate-limit';
import type { ClientConnection } from './client-connection';
import { errorFrame, WsError } from './ws-error';

/** One catch-up: what to read after which position, and how each item goes on the wire. */
export interface ReplayPlan<T> {
  /** Replays items with `seq > afterSeq`. */
  afterSeq: number;
  /**
   * The first position the connection will be sent live (OrderedRooms.join): the replay goes
   * at least up to the one before it, even if the database showed less when first read.
   */
  liveFrom: Promise<number>;
  read(afterSeq: number, limit: number): Promise<T[]>;
  seqOf(item: T): number;
  frame(item: T): ServerFrame;
}

/** What a stream's items have: a position (always sent by this server; optional in the frame's schema). */
export interface Positioned {
  seq?: number;
}

/** A stream a connection resumes: its frame type, where to resume from, and how to read what follows. */
export interface ResumePlan<T extends Positioned> {
  /** The frame that carries one item as its `data` (the stream's declaration names it). */
  type: string;
  /** As in ReplayPlan. */
  liveFrom: Promise<number>;
  /** Sent first, while live frames are held (the notifications' unread_count). */
  before?: () => Promise<void>;
  /** The position the client holds (from its query); undefined when it asked for no catch-up. */
  afterSeq(): Promise<number | undefined>;
  read(afterSeq: number, limit: number): Promise<T[]>;
}

export interface ReplayOutcome {
  count: number;
  hasMore: boolean;
  /** The position of the last item sent (the plan's `afterSeq` when none was). */
  lastSeq: number;
}

/** Rows read per page: small enough that reading and serialising one never holds the event loop for long. */
const PAGE_SIZE = 50;
/** Bytes written before waiting for the socket to drain them: a few ms of JSON.stringify at most. */
const SLICE_BYTES = 64 * 1024;

/**
 * Sends a catch-up replay without stalling anyone: pages read one after another, each
 * written in slices that are sent only once the socket has drained the previous one (so a
 * replaying socket never looks like a slow consumer, and a slow reader slows only its own
 * replay), at most REPLAY_MAX items, then `replay_complete` with `has_more`. Every page
 * spends one unit of the user's rate budget: reconnecting in a loop cannot read the
 * database for free. The caller holds the connection's live frames meanwhile.
 */
@Injectable()
export class PagedReplay {
  private readonly logger: ContextLogger;

  constructor(
    private readonly config: AppConfig,
    private readonly budget: RequestBudget,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('PagedReplay');
  }

  /**
   * Resumes a stream on a connection that is in its room already: live frames are held while
   * `before` and the replay run, then let through, less the ones the replay already sent — so
   * nothing arrives twice, out of order, or not at all. A replay that fails part-way (the
   * database went away) ends the connection instead: see `abandon`.
   */
  async resume<T extends Positioned>(connection: ClientConnection, plan: ResumePlan<T>): Promise<void> {
    connection.hold();
    let lastSeq: number;
    try {
      lastSeq = await this.catchUp(connection, plan);
    } catch (error) {
      if (!refusesResumePoint(error)) return this.abandon(connection, error);
      // The client's position was refused before anything was replayed (its error frame says why): live goes on.
      await this.releaseAfter(connection, plan.type, 0);
      throw error;
    }
    await this.releaseAfter(connection, plan.type, lastSeq);
  }

  /** `before`, then the replay; the position of the last item sent (0 when the client asked for none). */
  private async catchUp<T extends Positioned>(connection: ClientConnection, plan: ResumePlan<T>): Promise<number> {
    await plan.before?.();
    const afterSeq = await plan.afterSeq();
    if (afterSeq === undefined) return 0;
    const { lastSeq } = await this.run(connection, {
      afterSeq,
      liveFrom: plan.liveFrom,
      read: (after, limit) => plan.read(after, limit),
      seqOf: (item) => item.seq ?? 0,
      // The item is the data of a frame of this type (the stream's declaration); TypeScript cannot relate the two.
      frame: (item) => ({ type: plan.type, data: item }) as unknown as ServerFrame,
    });
    return lastSeq;
  }

  /** Lets the held live frames through, less the stream's frames up to `lastSeq` (the replay sent those). */
  private releaseAfter(connection: ClientConnection, type: string, lastSeq: number): Promise<void> {
    return connection.releaseDrained(
      (frame) => frame.type === type && ((frame as { data: Positioned }).data.seq ?? 0) <= lastSeq,
    );
  }

  /**
   * A replay that failed part-way cannot be finished: the live frames held meanwhile lie past a
   * gap (what it did not read), and without `replay_complete` the client never learns it. So
   * they are dropped and the connection closes with 1011; the client reconnects and resumes
   * from the last position it got, which the replay's pages (sent in order) left it at.
   */
  private abandon(connection: ClientConnection, error: unknown): void {
    // The error only: the bound SQL parameters are stripped by the serializer, and no frame is logged.
    this.logger.error(
      { err: error, endpoint: connection.endpoint, connection_id: connection.id },
      'Replay failed: closing the connection with 1011 so that the client resumes',
    );
    connection.abort(CloseCode.InternalError, 'Replay failed, reconnect to resume');
  }

  async run<T>(connection: ClientConnection, plan: ReplayPlan<T>): Promise<ReplayOutcome> {
    const max = this.config.replayMax;
    let lastSeq = plan.afterSeq;
    let count = 0;
    let hasMore = false;
    let reread = false;
    while (connection.isOpen) {
      const decision = await this.budget.spend(connection.userId);
      if (!decision.allowed) {
        connection.send(
          errorFrame('rate_limited', 'Rate limit exceeded: the rest of the replay is in the REST history', undefined, {
            retry_after_ms: decision.retryAfterMs,
          }),
        );
        hasMore = true;
        break;
      }
      const limit = Math.min(PAGE_SIZE, max - count);
      // One more than is sent when this page ends the replay, to learn whether more are stored.
      const page = await plan.read(lastSeq, count + limit >= max ? limit + 1 : limit);
      const items = page.slice(0, limit);
      if (!(await this.send(connection, items, plan))) break;
      count += items.length;
      if (items.length > 0) lastSeq = plan.seqOf(items[items.length - 1]);
      if (page.length > limit) hasMore = true;
      if (count >= max) break;
      // Caught up with what the database showed. Live delivery may start further on (its start was
      // read later, or it was already running): what lies between was committed since; read on.
      if (page.length < limit) {
        if (lastSeq >= (await plan.liveFrom) - 1) break;
        if (items.length === 0 && reread) break; // never loop on rows that do not come
        reread = items.length === 0;
      }
    }
    connection.send({ type: 'replay_complete', count, has_more: hasMore });
    return { count, hasMore, lastSeq };
  }

  /** Writes the items slice by slice, each after the socket drained the last; false once the socket is gone. */
  private async send<T>(connection: ClientConnection, items: T[], plan: ReplayPlan<T>): Promise<boolean> {
    let slice: Buffer[] = [];
    let bytes = 0;
    for (const [i, item] of items.entries()) {
      const payload = Buffer.from(JSON.stringify(plan.frame(item)));
      slice.push(payload);
      bytes += payload.length;
      if (bytes >= SLICE_BYTES || i === items.length - 1) {
        if (!(await connection.sendDrained(slice))) return false;
        // A socket the kernel takes at once calls back on process.nextTick, before any I/O of
        // anyone else: yield a full turn of the event loop between slices.
        await new Promise((resolve) => setImmediate(resolve));
        slice = [];
        bytes = 0;
      }
    }
    return connection.isOpen;
  }
}

/** A refusal of what the client asked for (an unknown or invalid resume point), not a failure of ours. */
function refusesResumePoint(error: unknown): boolean {
  return error instanceof WsError || (error instanceof DomainError && error.kind !== 'unavailable');
}
