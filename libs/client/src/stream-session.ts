import { type ServerFrame, STREAMS, type StreamEndpoint, type StreamItemOf, type Streams } from '@numerai/protocol';
import { nonNegative, type KeepAliveOptions } from './connection';
import { OrderedStream, type ResumePoint } from './ordered-stream';
import { fetchHttpGet, pageItems, type HttpGet } from './rest';
import { fillPath, type PathParams, queryString } from './urls';
import { EndpointSession } from './session';
import type { StreamOptions, WebSocketClientOptions } from './types';

/** The items of the resumable streams. */
export type StreamItem = StreamItemOf<Streams[StreamEndpoint]>;

/**
 * A session over a stream that resumes where it left off (chat, notifications): it owns the
 * resume point (`last_seq`, or the newest id when the server sends no `seq`), presents items in
 * `seq` order each once, fills a gap in `seq` and a replay's `has_more` from REST, and holds the
 * connection's queue until the replay is over.
 */
export abstract class StreamSession<
  E extends StreamEndpoint,
  T extends StreamItemOf<Streams[E]>,
> extends EndpointSession<E> {
  /** The stream's declaration (libs/protocol): its frame, resume parameters and REST page. */
  private readonly declaration: Streams[E];
  private readonly stream: OrderedStream<T>;
  /** The REST catch-up running now (one at a time), and whether it must read to the end. */
  private catchingUp: Promise<void> | undefined;
  private catchUpToEnd = false;
  private readonly httpGet: HttpGet;
  private readonly maxCatchUpPages: number;

  protected constructor(
    endpoint: E,
    token: string | null | undefined,
    options: WebSocketClientOptions & StreamOptions & KeepAliveOptions,
    start: { id?: string },
    private readonly params: PathParams = {},
  ) {
    super(endpoint, token, options, params);
    this.declaration = STREAMS[endpoint];
    this.stream = new OrderedStream<T>({ seq: options.lastSeq, id: start.id });
    this.maxCatchUpPages = Math.floor(nonNegative(options.maxCatchUpPages, 50));
    this.httpGet =
      options.httpGet ?? fetchHttpGet(this.connection.settings.baseUrl, () => this.connection.currentToken);
  }

  /**
   * Where the next connection resumes: `seq`, the highest position up to which every item was
   * delivered, and `id`, the newest item delivered.
   */
  get resumePoint(): ResumePoint {
    return this.stream.resumePoint;
  }

  /**
   * Tells the session that the caller holds every item up to `seq` already (e.g. the newest item
   * of a REST page), so that a reconnect asks only for what follows. Never moves the resume point back.
   */
  advanceResumePoint(seq: number): void {
    this.deliverItems(this.stream.advanceTo(seq));
  }

  /** Hands one item, in order and once, to the handlers of its frame. */
  protected abstract deliver(item: T): void;

  /** `last_seq` when positions are known, else the newest id. */
  protected override resumeQuery(): Record<string, string> {
    const point = this.stream.resumePoint;
    const { seq, id } = this.declaration.resume;
    if (point.seq !== undefined) return { [seq]: String(point.seq) };
    return point.id ? { [id]: point.id } : {};
  }

  protected override receive(frame: ServerFrame): void {
    if (frame.type === this.declaration.frame.frameType) {
      const data = (frame as { data?: unknown }).data;
      if (!data || typeof data !== 'object') return;
      this.deliverItems(this.stream.offer(data as T));
      // A jump in seq: fill it from REST before the resume point moves past it.
      if (this.stream.gap) void this.catchUp(false);
      return;
    }
    if (frame.type === 'replay_complete') {
      this.connection.dispatch(frame);
      const generation = this.connection.generation;
      if (frame.has_more !== true) return this.connection.finishReplay();
      // The server stopped at REPLAY_MAX: page the rest before queued frames go out.
      void this.catchUp(true).then(() => {
        if (this.connection.generation === generation) this.connection.finishReplay();
      });
      return;
    }
    if (frame.type === 'error' && this.connection.awaitingReplay && frame.code === 'not_found' && !frame.ref) {
      // The item we asked to resume after is unknown: there is no replay coming.
      this.stream.forgetId();
      this.connection.dispatch(frame);
      this.connection.finishReplay();
      return;
    }
    super.receive(frame);
  }

  private deliverItems(items: T[]): void {
    for (const item of items) this.deliver(item);
  }

  /**
   * Reads REST pages after the resume point: until the gap closes, or (`toEnd`, after a replay
   * with `has_more`) until a short page says nothing more is stored. One catch-up runs at a time;
   * a request for more joins the running one. At most `maxCatchUpPages` pages; a gap still open
   * afterwards is given up on for now (its items are delivered, the resume point stays below it,
   * so the next connection's replay fills it).
   */
  private catchUp(toEnd: boolean): Promise<void> {
    // A replay's has_more while a gap is being filled: read to the end once that run is over.
    if (this.catchingUp) return toEnd ? this.catchingUp.then(() => this.catchUp(true)) : this.catchingUp;
    this.catchUpToEnd = toEnd;
    const run = this.readPages().finally(() => {
      if (this.catchingUp === run) this.catchingUp = undefined;
    });
    this.catchingUp = run;
    return run;
  }

  private async readPages(): Promise<void> {
    const stream = this.stream;
    try {
      for (let page = 0; page < this.maxCatchUpPages && !this.connection.stopped; page++) {
        const from = stream.resumePoint.seq;
        if (from === undefined || (!this.catchUpToEnd && !stream.gap)) break;
        const { path, size } = this.declaration.page;
        const query = queryString({ after_seq: String(from), limit: String(size) });
        const body = await this.httpGet(`${fillPath(path, this.params)}?${query}`);
        if (this.connection.stopped) return;
        const { items, last } = pageItems<T>(body, from, size);
        for (const item of items) this.deliverItems(stream.offer(item));
        const progressed = (stream.resumePoint.seq ?? from) > from;
        // The last page ends it, unless items that arrived meanwhile left a gap: then one more read.
        if (!progressed || (last && !stream.gap)) break;
      }
    } catch (error) {
      // close() abandons a catch-up: a request it cut off is no failure worth reporting.
      if (!this.connection.stopped) this.connection.report(error);
    } finally {
      this.catchUpToEnd = false;
      if (stream.gap && !this.connection.stopped) this.deliverItems(stream.release());
    }
  }
}
