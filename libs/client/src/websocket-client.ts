import {
  CloseCode,
  Limits,
  TERMINAL_CLOSE_CODES,
  type ChatMessageData,
  type ClientFrameMap,
  type Endpoint,
  type NotificationData,
  type ServerFrame,
} from '@numerai/protocol';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { createClientId } from './ids';
import { OrderedStream, type ResumePoint } from './ordered-stream';
import { fetchHttpGet, pageItems, type HttpGet } from './rest';
import { TokenRenewal } from './token-renewal';
import type {
  ChatWebSocketOptions,
  ConnectInfo,
  ConnectionState,
  DisconnectInfo,
  EndpointClientFrames,
  EndpointServerFrames,
  FrameHandler,
  PayloadArgs,
  SendResult,
  Unsubscribe,
  WebSocketConstructor,
  NotificationsWebSocketOptions,
  WebSocketLike,
} from './types';
import { endpointUrl, resolveWebSocketBase } from './urls';

const OPEN = 1;
/** Close code used when a connection failed without one (the browser's "abnormal closure"). */
const ABNORMAL = 1006;
/** Frames that mean nothing later: sending them after a reconnect would only mislead. */
const TRANSIENT: ReadonlySet<keyof ClientFrameMap> = new Set(['typing', 'ping', 'auth']);
/** REST catch-up page size: the most `GET …?after_seq=` returns. */
const CATCH_UP_PAGE = 100;
const encoder = typeof TextEncoder === 'function' ? new TextEncoder() : undefined;

/** Every option any client takes (each factory narrows it). */
type AnyClientOptions = ChatWebSocketOptions & NotificationsWebSocketOptions;

let defaults: Partial<AnyClientOptions> = {};

/**
 * Options every client created afterwards starts from (its own options win). Lets code
 * written for the browser, such as the published `createChatWebSocket(consultationId, token)`,
 * run unchanged in Node: `setDefaultOptions({ baseUrl: 'ws://localhost:8000', WebSocket: require('ws') })`.
 */
export function setDefaultOptions(options: Partial<AnyClientOptions>): void {
  defaults = { ...options };
}

interface Resolved {
  baseUrl: string;
  WebSocket: WebSocketConstructor;
  getToken?: ChatWebSocketOptions['getToken'];
  reconnect: boolean;
  maxReconnectAttempts: number;
  backoff: BackoffOptions;
  random: () => number;
  connectTimeoutMs: number;
  maxQueueSize: number;
  replayTimeoutMs: number;
  maxCatchUpPages: number;
  refreshBeforeExpiry: boolean;
  httpGet?: HttpGet;
  onHandlerError: (error: unknown) => void;
}

function resolveOptions(options: AnyClientOptions): Resolved {
  const WebSocketImpl =
    options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ?? undefined;
  if (!WebSocketImpl) {
    throw new Error(
      'NumerAI client: this runtime has no global WebSocket; pass one, e.g. { WebSocket: require("ws") } in Node 20',
    );
  }
  const nonNegative = (value: number | undefined, fallback: number) =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
  return {
    baseUrl: resolveWebSocketBase(options.baseUrl),
    WebSocket: WebSocketImpl,
    getToken: options.getToken,
    reconnect: options.reconnect ?? true,
    maxReconnectAttempts: Math.floor(nonNegative(options.maxReconnectAttempts, 5)),
    backoff: {
      initialDelayMs: nonNegative(options.initialDelayMs, DEFAULT_BACKOFF.initialDelayMs),
      factor: nonNegative(options.backoffFactor, DEFAULT_BACKOFF.factor),
      maxDelayMs: nonNegative(options.maxDelayMs, DEFAULT_BACKOFF.maxDelayMs),
      jitter: nonNegative(options.jitter, DEFAULT_BACKOFF.jitter),
    },
    random: options.random ?? Math.random,
    connectTimeoutMs: nonNegative(options.connectTimeoutMs, 10_000),
    maxQueueSize: Math.floor(nonNegative(options.maxQueueSize, 100)),
    replayTimeoutMs: nonNegative(options.replayTimeoutMs, 10_000),
    maxCatchUpPages: Math.floor(nonNegative(options.maxCatchUpPages, 50)),
    refreshBeforeExpiry: options.refreshBeforeExpiry ?? true,
    httpGet: options.httpGet,
    onHandlerError: options.onHandlerError ?? defaultHandlerError,
  };
}

function defaultHandlerError(error: unknown): void {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError;
  if (typeof report === 'function') report(error);
  else console.error('NumerAI client: a handler or a background step failed', error);
}

function isTerminal(code: number): boolean {
  // protocol.md: never auto-reconnect on 4400–4404 (4401 has its own path through getToken).
  return TERMINAL_CLOSE_CODES.includes(code) || (code >= 4400 && code <= 4404 && code !== CloseCode.Unauthorized);
}

/** The items of a resumable stream, and the frame type that carries them. */
type StreamItem = ChatMessageData | NotificationData;

/**
 * One logical connection to one endpoint that survives drops: it reconnects with backoff,
 * queues frames while away, renews its token in-band before it expires, and (for chat and
 * notifications) resumes from its position (`last_seq`), pages the rest through REST when the
 * replay has more, presents items in `seq` order each once, and never stores a message twice.
 * Create it with `createChatWebSocket` and its siblings.
 */
export class NumerAIWebSocket<E extends Endpoint> {
  private readonly options: Resolved;
  private socket: WebSocketLike | null = null;
  private currentState: ConnectionState = 'idle';
  private token: string | null | undefined;
  private attempt = 0;
  private everConnected = false;
  private closedByClient = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private replayTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set while a reconnect waits for the replay to finish before flushing the queue. */
  private awaitingReplay = false;
  private queue: ClientFrameMap[keyof ClientFrameMap][] = [];
  /** chat_message frames written but not yet echoed back: resent after a drop (same client_id). */
  private readonly unacknowledged = new Map<string, ClientFrameMap['chat_message']>();
  /** Order and resume point of the chat or notifications stream; none for presence. */
  private readonly stream: OrderedStream<StreamItem> | undefined;
  /** The REST catch-up running now (one at a time), and whether it must read to the end. */
  private catchingUp: Promise<void> | undefined;
  private catchUpToEnd = false;
  private readonly httpGet: HttpGet;
  private readonly renewal: TokenRenewal;
  private readonly frameHandlers = new Map<string, Set<(frame: ServerFrame) => void>>();
  private readonly connectHandlers = new Set<(info: ConnectInfo) => void>();
  private readonly disconnectHandlers = new Set<(info: DisconnectInfo) => void>();
  private readonly stateHandlers = new Set<(state: ConnectionState) => void>();
  private readonly dropHandlers = new Set<(frame: ClientFrameMap[keyof ClientFrameMap]) => void>();
  private lastClose: DisconnectInfo | undefined;

  constructor(
    readonly endpoint: E,
    token: string | null | undefined,
    options: AnyClientOptions & { consultationId?: string } = {},
  ) {
    const merged = { ...defaults, ...options };
    this.options = resolveOptions(merged);
    this.token = token;
    this.consultationId = options.consultationId;
    if (endpoint === 'chat' || endpoint === 'notifications') {
      const id = endpoint === 'chat' ? merged.lastMessageId : merged.lastNotificationId;
      this.stream = new OrderedStream<StreamItem>({ seq: merged.lastSeq, id });
    }
    this.httpGet = this.options.httpGet ?? fetchHttpGet(this.options.baseUrl, () => this.token);
    this.renewal = new TokenRenewal(() => this.renewToken(), this.options.random);
    if (merged.autoConnect ?? true) this.connect();
  }

  /** The consultation of a chat client. */
  readonly consultationId: string | undefined;

  /** Where the connection stands; see `ConnectionState`. */
  get state(): ConnectionState {
    return this.currentState;
  }

  /** True while the state is `open`. */
  get isConnected(): boolean {
    return this.currentState === 'open';
  }

  /** Id of the newest chat message seen (the resume point of servers that send no `seq`). */
  get lastMessageId(): string | undefined {
    return this.endpoint === 'chat' ? this.stream?.resumePoint.id : undefined;
  }

  /**
   * Where the next connection resumes (chat and notifications): `seq`, the highest position up
   * to which every item was delivered, and `id`, the newest item delivered.
   */
  get resumePoint(): ResumePoint | undefined {
    return this.stream?.resumePoint;
  }

  /**
   * Tells a chat or notifications client that the caller holds every item up to `seq` already
   * (e.g. the newest item of a REST page), so that a reconnect asks only for what follows. Never
   * moves the resume point back.
   */
  advanceResumePoint(seq: number): void {
    if (this.stream) this.deliverItems(this.stream.advanceTo(seq));
  }

  /** Frames waiting for the next connection, oldest first. */
  get queuedFrames(): readonly ClientFrameMap[keyof ClientFrameMap][] {
    return [...this.unacknowledged.values(), ...this.queue];
  }

  /** How the last connection ended, if one did. */
  get lastDisconnect(): DisconnectInfo | undefined {
    return this.lastClose;
  }

  /** Calls `cb` every time the server confirms a connection (`connection_established`). */
  onConnect(cb: (info: ConnectInfo) => void): Unsubscribe {
    return subscribe(this.connectHandlers, cb);
  }

  /** Calls `cb` when an established connection ends, and when the client gives up or is refused. */
  onDisconnect(cb: (info: DisconnectInfo) => void): Unsubscribe {
    return subscribe(this.disconnectHandlers, cb);
  }

  /** Calls `cb` on every change of `state`. */
  onStateChange(cb: (state: ConnectionState) => void): Unsubscribe {
    return subscribe(this.stateHandlers, cb);
  }

  /** Calls `cb` with each queued frame dropped because the queue was full. */
  onQueueDrop(cb: (frame: ClientFrameMap[keyof ClientFrameMap]) => void): Unsubscribe {
    return subscribe(this.dropHandlers, cb);
  }

  /**
   * Calls `handler` with every frame of `type` this endpoint sends. Duplicated chat messages
   * (a replayed message already seen, a resend the server answered with the stored message)
   * are delivered once.
   */
  on<T extends EndpointServerFrames[E]>(type: T, handler: FrameHandler<T>): Unsubscribe {
    let set = this.frameHandlers.get(type);
    if (!set) {
      set = new Set();
      this.frameHandlers.set(type, set);
    }
    return subscribe(set, handler as (frame: ServerFrame) => void);
  }

  /**
   * Sends `{ type, ...payload }`. While disconnected the frame is queued (transient frames —
   * typing, ping, auth — are dropped instead). A `chat_message` gets a `client_id` unless it has one.
   * Throws a RangeError for a frame over the 64 KB protocol limit (the server would close the connection).
   */
  send<T extends EndpointClientFrames[E]>(type: T, ...args: PayloadArgs<T>): SendResult<T> {
    const frame = { ...(args[0] ?? {}), type } as unknown as ClientFrameMap[T];
    if (frame.type === 'chat_message' && !frame.client_id) frame.client_id = createClientId();
    const text = JSON.stringify(frame);
    const bytes = encoder ? encoder.encode(text).length : text.length;
    if (bytes > Limits.maxFrameBytes) {
      throw new RangeError(`NumerAI client: frame of ${bytes} bytes is over the ${Limits.maxFrameBytes}-byte limit`);
    }
    if (this.isReady()) {
      this.write(frame);
      return { status: 'sent', frame };
    }
    if (TRANSIENT.has(frame.type) || this.options.maxQueueSize === 0) return { status: 'dropped', frame };
    this.queue.push(frame);
    this.trimQueue();
    return { status: 'queued', frame };
  }

  /**
   * Replaces the token used for future connections; on an open connection also sends it
   * in-band (`{"type":"auth"}`) so the server does not close at the old token's expiry.
   */
  updateToken(token: string): void {
    this.adoptToken(token, false);
  }

  /**
   * Opens the connection if it is idle or closed (after `close()` or giving up), with a fresh
   * attempt count. Does nothing while connected or connecting.
   */
  connect(): void {
    if (this.currentState !== 'idle' && this.currentState !== 'closed') return;
    this.closedByClient = false;
    this.attempt = 0;
    this.setState('connecting');
    if (this.token) this.open();
    else this.refreshTokenThen(() => this.open(), 'no token');
  }

  /**
   * Closes the connection for good (code 1000): no reconnect follows. Queued frames are kept,
   * so a later `connect()` still sends them.
   */
  close(code: number = CloseCode.Normal, reason = 'client closed'): void {
    this.closedByClient = true;
    this.clearTimers();
    this.renewal.cancel();
    const socket = this.socket;
    const wasOpen = this.currentState === 'open';
    this.detach();
    if (socket) {
      try {
        socket.close(code, reason);
      } catch (error) {
        this.options.onHandlerError(error);
      }
    }
    if (this.currentState === 'closed') return;
    this.setState('closed');
    const info: DisconnectInfo = { code, reason, willReconnect: false, byClient: true };
    this.lastClose = info;
    if (wasOpen || this.everConnected) this.emit(this.disconnectHandlers, info);
  }

  // ---- connection lifecycle ---------------------------------------------------------

  private open(): void {
    if (this.closedByClient) return;
    const resume = this.resumeQuery();
    const query: Record<string, string | undefined> = { token: this.token ?? undefined, ...resume };
    const replayFrom = Object.keys(resume).length > 0;
    const url = endpointUrl(this.options.baseUrl, this.endpoint, { consultationId: this.consultationId, query });
    let socket: WebSocketLike;
    try {
      socket = new this.options.WebSocket(url) as WebSocketLike;
    } catch (error) {
      this.options.onHandlerError(error);
      this.handleClose(ABNORMAL, error instanceof Error ? error.message : 'could not open');
      return;
    }
    this.socket = socket;
    this.awaitingReplay = false;
    socket.onopen = () => undefined;
    socket.onmessage = (event) => {
      if (this.socket === socket) this.handleMessage(event.data, replayFrom);
    };
    socket.onclose = (event) => {
      if (this.socket === socket) this.handleClose(event.code || ABNORMAL, event.reason ?? '');
    };
    // Without an error listener the `ws` package throws; the close event that follows does the work.
    socket.onerror = () => undefined;
    if (this.options.connectTimeoutMs > 0) {
      this.connectTimer = setTimeout(() => {
        if (this.socket !== socket || this.currentState === 'open') return;
        this.detach();
        try {
          socket.close();
        } catch {
          // A socket still connecting may refuse close(); it is abandoned either way.
        }
        this.handleClose(ABNORMAL, 'connect timeout');
      }, this.options.connectTimeoutMs);
    }
  }

  private handleMessage(data: unknown, replayRequested: boolean): void {
    const text = typeof data === 'string' ? data : decodeText(data);
    if (text === undefined) return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      return; // Not our protocol; the server never sends this.
    }
    if (!frame || typeof frame !== 'object' || typeof frame.type !== 'string') return;

    switch (frame.type) {
      case 'connection_established': {
        clearTimeout(this.connectTimer);
        this.attempt = 0;
        const reconnected = this.everConnected;
        this.everConnected = true;
        this.setState('open');
        if (replayRequested) {
          // Hold queued frames until the replay shows which unacknowledged messages were stored.
          this.awaitingReplay = true;
          this.replayTimer = setTimeout(() => this.finishReplay(), this.options.replayTimeoutMs);
        } else {
          this.flush();
        }
        if (this.options.refreshBeforeExpiry && this.options.getToken && !this.renewal.pending) {
          this.renewal.schedule(this.token);
        }
        this.dispatch(frame);
        this.emit(this.connectHandlers, { reconnected });
        return;
      }
      case 'chat_message':
      case 'notification': {
        const data = frame.data as StreamItem | undefined;
        if (!data || typeof data !== 'object') return;
        if (!this.stream) break;
        this.deliverItems(this.stream.offer(data));
        // A jump in seq: fill it from REST before the resume point moves past it.
        if (this.stream.gap) void this.catchUp(false);
        return;
      }
      case 'replay_complete': {
        this.dispatch(frame);
        const socket = this.socket;
        if (frame.has_more === true && this.stream) {
          // The server stopped at REPLAY_MAX: page the rest before queued frames go out.
          void this.catchUp(true).then(() => {
            if (this.socket === socket) this.finishReplay();
          });
        } else {
          this.finishReplay();
        }
        return;
      }
      case 'error':
        if (frame.ref) this.acknowledge(frame.ref);
        if (this.awaitingReplay && frame.code === 'not_found' && !frame.ref) {
          // The item we asked to resume after is unknown: there is no replay coming.
          this.stream?.forgetId();
          this.dispatch(frame);
          this.finishReplay();
          return;
        }
        break;
      default:
        break;
    }
    this.dispatch(frame);
  }

  private handleClose(code: number, reason: string): void {
    const wasOpen = this.currentState === 'open';
    this.detach();
    this.clearTimers();
    // Messages written but never echoed may be lost: send them again first (same client_id).
    if (this.unacknowledged.size > 0) {
      this.queue = [...this.unacknowledged.values(), ...this.queue];
      this.unacknowledged.clear();
      this.trimQueue();
    }
    if (this.closedByClient) return;

    const stop = (why: string) => {
      this.renewal.cancel();
      this.setState('closed');
      const info: DisconnectInfo = { code, reason: reason || why, willReconnect: false, byClient: false };
      this.lastClose = info;
      this.emit(this.disconnectHandlers, info);
    };
    if (!this.options.reconnect || isTerminal(code)) return stop('closed');
    if (code === CloseCode.Unauthorized && !this.options.getToken) return stop('token refused and no getToken');
    if (this.attempt >= this.options.maxReconnectAttempts) return stop('gave up reconnecting');

    this.attempt += 1;
    const attempt = this.attempt;
    const delayMs = backoffDelay(attempt, this.options.backoff, this.options.random);
    this.setState('reconnecting');
    const info: DisconnectInfo = { code, reason, willReconnect: true, attempt, delayMs, byClient: false };
    this.lastClose = info;
    if (wasOpen) this.emit(this.disconnectHandlers, info);

    const retry = () => {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        if (this.closedByClient) return;
        this.setState('connecting');
        this.open();
      }, delayMs);
    };
    if (code === CloseCode.Unauthorized) this.refreshTokenThen(retry, 'token refused and no new token');
    else retry();
  }

  /** Asks `getToken()` for a token, then continues; stops the client when there is none. */
  private refreshTokenThen(next: () => void, why: string): void {
    const getToken = this.options.getToken;
    const giveUp = () => {
      if (this.closedByClient) return;
      this.setState('closed');
      const info: DisconnectInfo = {
        code: CloseCode.Unauthorized,
        reason: why,
        willReconnect: false,
        byClient: false,
      };
      this.lastClose = info;
      this.emit(this.disconnectHandlers, info);
    };
    if (!getToken) return giveUp();
    let result: ReturnType<typeof getToken>;
    try {
      result = getToken();
    } catch (error) {
      this.options.onHandlerError(error);
      return giveUp();
    }
    Promise.resolve(result).then(
      (token) => {
        if (this.closedByClient) return;
        if (!token) return giveUp();
        this.adoptToken(token, true);
        next();
      },
      (error: unknown) => {
        this.options.onHandlerError(error);
        giveUp();
      },
    );
  }

  /**
   * Uses `token` from now on: sent in-band on an open connection, used by the next one, and its
   * renewal scheduled. `fresh`: just issued (from getToken), so its whole lifetime is ahead.
   */
  private adoptToken(token: string, fresh: boolean): void {
    if (this.options.refreshBeforeExpiry && this.options.getToken && !this.closedByClient) {
      this.renewal.schedule(token, fresh);
    }
    if (token === this.token) return;
    this.token = token;
    if (this.currentState === 'open' && this.socket?.readyState === OPEN) this.write({ type: 'auth', token });
  }

  /** The token is about to expire: ask getToken() for the next one and send it in-band. */
  private renewToken(): void {
    const getToken = this.options.getToken;
    if (!getToken || this.closedByClient) return;
    Promise.resolve()
      .then(() => getToken())
      .then(
        (token) => {
          // No token: the server closes with 4401 at expiry and the usual path takes over.
          if (token && !this.closedByClient) this.adoptToken(token, true);
        },
        (error: unknown) => this.options.onHandlerError(error),
      );
  }

  // ---- resuming -----------------------------------------------------------------------

  /** The resume query of the next connection: `last_seq` when positions are known, else the newest id. */
  private resumeQuery(): Record<string, string> {
    const point = this.stream?.resumePoint;
    if (!point) return {};
    if (point.seq !== undefined) return { last_seq: String(point.seq) };
    if (!point.id) return {};
    return this.endpoint === 'chat' ? { last_message_id: point.id } : { last_notification_id: point.id };
  }

  /** Hands items the stream released to the handlers, as the frames that carry them. */
  private deliverItems(items: StreamItem[]): void {
    for (const data of items) {
      if (this.endpoint === 'chat') {
        const message = data as ChatMessageData;
        if (message.client_id) this.acknowledge(message.client_id);
        this.dispatch({ type: 'chat_message', data: message });
      } else {
        this.dispatch({ type: 'notification', data: data as NotificationData });
      }
    }
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
    const stream = this.stream!;
    try {
      for (let page = 0; page < this.options.maxCatchUpPages && !this.closedByClient; page++) {
        const from = stream.resumePoint.seq;
        if (from === undefined || (!this.catchUpToEnd && !stream.gap)) break;
        const body = await this.httpGet(this.pagePath(from));
        if (this.closedByClient) return;
        const { items, last } = pageItems<StreamItem>(body, from, CATCH_UP_PAGE);
        for (const item of items) this.deliverItems(stream.offer(item));
        const progressed = (stream.resumePoint.seq ?? from) > from;
        // The last page ends it, unless items that arrived meanwhile left a gap: then one more read.
        if (!progressed || (last && !stream.gap)) break;
      }
    } catch (error) {
      // close() abandons a catch-up: a request it cut off is no failure worth reporting.
      if (!this.closedByClient) this.options.onHandlerError(error);
    } finally {
      this.catchUpToEnd = false;
      if (stream.gap && !this.closedByClient) this.deliverItems(stream.release());
    }
  }

  private pagePath(afterSeq: number): string {
    const query = `after_seq=${afterSeq}&limit=${CATCH_UP_PAGE}`;
    return this.endpoint === 'chat'
      ? `/api/consultations/${encodeURIComponent(this.consultationId ?? '')}/messages?${query}`
      : `/api/notifications?${query}`;
  }

  private finishReplay(): void {
    clearTimeout(this.replayTimer);
    this.replayTimer = undefined;
    if (!this.awaitingReplay) return;
    this.awaitingReplay = false;
    this.flush();
  }

  // ---- sending ----------------------------------------------------------------------

  private isReady(): boolean {
    return this.currentState === 'open' && !this.awaitingReplay && this.socket?.readyState === OPEN;
  }

  private write(frame: ClientFrameMap[keyof ClientFrameMap]): void {
    this.socket!.send(JSON.stringify(frame));
    if (frame.type === 'chat_message' && frame.client_id) this.unacknowledged.set(frame.client_id, frame);
  }

  private flush(): void {
    while (this.queue.length > 0 && this.isReady()) {
      const frame = this.queue.shift()!;
      this.write(frame);
    }
  }

  /** The server stored (or rejected) the message with this client_id: never send it again. */
  private acknowledge(clientId: string): void {
    this.unacknowledged.delete(clientId);
    this.queue = this.queue.filter((frame) => frame.type !== 'chat_message' || frame.client_id !== clientId);
  }

  private trimQueue(): void {
    while (this.queue.length > this.options.maxQueueSize) {
      const dropped = this.queue.shift()!;
      this.emit(this.dropHandlers, dropped);
    }
  }

  // ---- helpers ----------------------------------------------------------------------

  private detach(): void {
    const socket = this.socket;
    this.socket = null;
    this.awaitingReplay = false;
    if (!socket) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    // Keep a no-op error listener: `ws` throws on an 'error' event nobody listens to.
    socket.onerror = () => undefined;
  }

  private clearTimers(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.connectTimer);
    clearTimeout(this.replayTimer);
    this.retryTimer = this.connectTimer = this.replayTimer = undefined;
  }

  private setState(state: ConnectionState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit(this.stateHandlers, state);
  }

  private dispatch(frame: ServerFrame): void {
    const handlers = this.frameHandlers.get(frame.type);
    if (handlers) this.emit(handlers, frame);
  }

  private emit<A>(handlers: Set<(arg: A) => void>, arg: A): void {
    for (const handler of [...handlers]) {
      try {
        handler(arg);
      } catch (error) {
        this.options.onHandlerError(error);
      }
    }
  }
}

function subscribe<T>(set: Set<T>, item: T): Unsubscribe {
  set.add(item);
  return () => {
    set.delete(item);
  };
}

function decodeText(data: unknown): string | undefined {
  if (typeof TextDecoder !== 'function') return undefined;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data);
  return undefined; // Blob (binary frames are not part of the protocol).
}
