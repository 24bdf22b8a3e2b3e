import { Injectable } from '@nestjs/common';
import { SEQ_MAX } from '@numerai/common';
import { LoggerFactory } from '@numerai/logging';
import { roomName, type ServerFrame, type StreamContract, type StreamItemOf } from '@numerai/protocol';
import type { ClientConnection } from './client-connection';
import { ConnectionRegistry } from './connection-registry';
import { OrderedRooms } from './ordered-rooms';
import { PagedReplay, type Positioned } from './paged-replay';
import { WsError } from './ws-error';

/** Where a feature's stream is read back from: all StreamDelivery needs of it. */
export interface StreamSource<T> {
  /** The newest stored position of the stream `key` now (0 when empty). */
  head(key: string): Promise<number>;
  /** Stored items of `key` with `seq > afterSeq`, oldest first, at most `limit`. */
  after(key: string, afterSeq: number, limit: number): Promise<T[]>;
  /** The position of item `id` of stream `key`; undefined when it is none of its items (whatever `id` looks like). */
  seqOf(key: string, id: string): Promise<number | undefined>;
}

export interface StreamDeliveryOptions<T, Note> {
  source: StreamSource<T>;
  /** Sent first on every connection, while its live frames are held (the notifications' unread_count). */
  opening?(connection: ClientConnection, key: string): Promise<void>;
  /**
   * After an item went to this instance's sockets of `key`: `note` is what its announcement
   * carried with it (`accept`), undefined when the item was read back from the database.
   */
  delivered?(key: string, item: T, note: Note | undefined): void;
}

interface Announced<T, Note> {
  item: T;
  note?: Note;
}

/**
 * One declared stream (libs/protocol StreamContract) on this instance, from a connection's
 * first frame to its last: joins the stream's room in order (OrderedRooms), parses the resume
 * point from the connection's query (`last_seq`, or the published id parameter), replays what
 * it missed (PagedReplay), then delivers live items in `seq` order, once, to the room
 * `roomName(endpoint, key)`. A feature hands it a source and announces stored items (`accept`); it
 * never sees a query or a transport error.
 */
export class StreamDelivery<S extends StreamContract, Note = undefined> {
  private readonly ordered: OrderedRooms<Announced<StreamItemOf<S>, Note>>;
  private readonly type: string;

  constructor(
    private readonly stream: S,
    private readonly options: StreamDeliveryOptions<StreamItemOf<S>, Note>,
    private readonly replay: PagedReplay,
    registry: ConnectionRegistry,
    loggers: LoggerFactory,
  ) {
    this.type = stream.frame.frameType;
    this.ordered = new OrderedRooms({
      logger: loggers.forContext(`Ordered:${stream.endpoint}`),
      seqOf: ({ item }) => (item as Positioned).seq ?? 0,
      source: {
        head: (key) => options.source.head(key),
        after: async (key, afterSeq, limit) =>
          (await options.source.after(key, afterSeq, limit)).map((item) => ({ item })),
      },
      deliver: (key, { item, note }) => {
        registry.broadcast(roomName(stream.endpoint, key), { type: this.type, data: item } as unknown as ServerFrame);
        options.delivered?.(key, item, note);
      },
    });
  }

  /** A stored item, announced by whichever instance stored it: delivered here in order, once. */
  accept(key: string, item: StreamItemOf<S>, note?: Note): void {
    this.ordered.accept(key, { item, note });
  }

  /**
   * A connection in the stream's room opened: from now on it is sent every item of `key` in
   * order; with a resume parameter in `query`, what it missed first (then `replay_complete`),
   * with no gap and no duplicate. Call it synchronously from the endpoint's `opened`, before
   * anything can be published past the connection.
   */
  async open(connection: ClientConnection, key: string, query: URLSearchParams): Promise<void> {
    const liveFrom = this.ordered.join(key);
    const { seq, id } = this.stream.resume;
    const opening = this.options.opening;
    if (!opening && !query.has(seq) && !query.has(id)) return;
    // In the room already: the replay holds live frames while it runs.
    await this.replay.resume(connection, {
      type: this.type,
      liveFrom,
      before: opening && (() => opening(connection, key)),
      afterSeq: () => this.resumePoint(key, query),
      read: (after, limit) => this.options.source.after(key, after, limit),
    });
  }

  /** A connection of stream `key` closed. */
  close(key: string): void {
    this.ordered.leave(key);
  }

  /**
   * Where a reconnecting socket resumes: the position parameter as given, the id parameter as
   * that item's position; undefined when it asked for no replay.
   */
  private async resumePoint(key: string, query: URLSearchParams): Promise<number | undefined> {
    const { seq, id, unknownId } = this.stream.resume;
    const position = positionParam(query, seq);
    if (position !== undefined) return position;
    const itemId = query.get(id);
    if (itemId === null) return undefined;
    const found = await this.options.source.seqOf(key, itemId);
    if (found === undefined) throw new WsError('not_found', unknownId);
    return found;
  }
}

/**
 * A position parameter, undefined when absent; anything but a whole number from 0 to SEQ_MAX
 * (the `seq` columns' range) is `validation_failed`.
 */
export function positionParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const value = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value <= SEQ_MAX))
    throw new WsError('validation_failed', `${name} must be a whole number from 0 to ${SEQ_MAX}`);
  return value;
}

/** Builds a StreamDelivery for a gateway: the stream's declaration and its feature's source are all it gives. */
@Injectable()
export class StreamDeliveries {
  constructor(
    private readonly replay: PagedReplay,
    private readonly registry: ConnectionRegistry,
    private readonly loggers: LoggerFactory,
  ) {}

  create<S extends StreamContract, Note = undefined>(
    stream: S,
    options: StreamDeliveryOptions<StreamItemOf<S>, Note>,
  ): StreamDelivery<S, Note> {
    return new StreamDelivery(stream, options, this.replay, this.registry, this.loggers);
  }
}
