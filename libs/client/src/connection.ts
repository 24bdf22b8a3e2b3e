import {
  CloseCode,
  Limits,
  TERMINAL_CLOSE_CODES,
  type ClientFrameMap,
  type Endpoint,
  type ServerFrame,
} from '@numerai/protocol';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { createClientId } from './ids';
import { TokenRenewal } from './token-renewal';
import type {
  ConnectInfo,
  ConnectionState,
  DisconnectInfo,
  SendResult,
  Unsubscribe,
  WebSocketClientOptions,
  WebSocketConstructor,
  WebSocketLike,
} from './types';
import { endpointUrl, type PathParams, resolveWebSocketBase } from './urls';

const OPEN = 1;
/** Close code used when a connection failed without one (the browser's "abnormal closure"). */
const ABNORMAL = 1006;
/**
 * Frames that mean nothing later: sending them after a reconnect would only mislead (a page
 * request belongs to its connection: a new one starts with its own first page).
 */
const TRANSIENT: ReadonlySet<keyof ClientFrameMap> = new Set(['typing', 'ping', 'auth', 'list_available']);
const encoder = typeof TextEncoder === 'function' ? new TextEncoder() : undefined;

export type AnyClientFrame = ClientFrameMap[keyof ClientFrameMap];

/** The connection options with their defaults applied. */
export interface ConnectionSettings {
  baseUrl: string;
  WebSocket: WebSocketConstructor;
  getToken?: WebSocketClientOptions['getToken'];
  reconnect: boolean;
  maxReconnectAttempts: number;
  backoff: BackoffOptions;
  random: () => number;
  connectTimeoutMs: number;
  maxQueueSize: number;
  /** How long queued frames wait for the session to finish its replay (see `ReplayGate`). */
  replayTimeoutMs: number;
  refreshBeforeExpiry: boolean;
  /** 0: off. See `KeepAliveOptions`. */
  keepAliveMs: number;
  onHandlerError: (error: unknown) => void;
}

/** Options of the connection core beyond the published client options. */
export interface KeepAliveOptions {
  /**
   * Keep-alive for runtimes that cannot see the server's protocol pings' effect on a half-open
   * connection (a laptop waking up, a proxy that dropped the socket silently): when nothing was
   * heard for this long, a `{"type":"ping"}` goes out; when nothing is heard for as long again,
   * the connection is given up as dead and the usual reconnect follows. Each ping spends one
   * frame of the rate budget. Default 0: off (the server's pings keep the connection open).
   */
  keepAliveMs?: number;
}

export function nonNegative(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

export function resolveConnectionSettings(
  options: WebSocketClientOptions & KeepAliveOptions & { replayTimeoutMs?: number },
): ConnectionSettings {
  const WebSocketImpl =
    options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ?? undefined;
  if (!WebSocketImpl) {
    throw new Error(
      'NumerAI client: this runtime has no global WebSocket; pass one, e.g. { WebSocket: require("ws") } in Node 20',
    );
  }
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
    refreshBeforeExpiry: options.refreshBeforeExpiry ?? true,
    keepAliveMs: nonNegative(options.keepAliveMs, 0),
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

/**
 * What a session tells the connection, and hears from it. The connection knows nothing of any
 * endpoint's frames beyond `connection_established`, `auth` and `ping`.
 */
export interface SessionHooks {
  /** Query parameters that resume the session where it left off; empty when there is nothing to resume. */
  resumeQuery(): Record<string, string>;
  /** Every server frame after `connection_established`, in arrival order. */
  receive(frame: ServerFrame): void;
  /** A frame went out on the socket. */
  written(frame: AnyClientFrame): void;
  /** The socket is gone: frames to send again first on the next connection, oldest first. */
  takeUnconfirmed(): AnyClientFrame[];
}

/**
 * One logical connection to one endpoint that survives drops: it reconnects with backoff, asks
 * `getToken` for a token when refused (4401) and renews it in-band before it expires, queues
 * frames while away, and — when the session resumed from a position — holds the queue until
 * the session says its replay is over (`finishReplay`), so resent frames follow the history.
 */
export class ReconnectingConnection {
  private socket: WebSocketLike | null = null;
  private currentState: ConnectionState = 'idle';
  private token: string | null | undefined;
  private attempt = 0;
  private everConnected = false;
  private closedByClient = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private replayTimer: ReturnType<typeof setTimeout> | undefined;
  private keepAliveTimer: ReturnType<typeof setInterval> | undefined;
  /** Keep-alive: a frame arrived since the last tick; a ping of ours is unanswered. */
  private heard = false;
  private pingOutstanding = false;
  /** Set while a reconnect waits for the replay to finish before flushing the queue. */
  private holdingForReplay = false;
  /** Counts sockets opened, so work started for one connection can tell it is stale. */
  private socketGeneration = 0;
  private queue: AnyClientFrame[] = [];
  private readonly renewal: TokenRenewal;
  private readonly frameHandlers = new Map<string, Set<(frame: ServerFrame) => void>>();
  private readonly connectHandlers = new Set<(info: ConnectInfo) => void>();
  private readonly disconnectHandlers = new Set<(info: DisconnectInfo) => void>();
  private readonly stateHandlers = new Set<(state: ConnectionState) => void>();
  private readonly dropHandlers = new Set<(frame: AnyClientFrame) => void>();
  private lastClose: DisconnectInfo | undefined;

  constructor(
    readonly endpoint: Endpoint,
    token: string | null | undefined,
    readonly settings: ConnectionSettings,
    private readonly session: SessionHooks,
    private readonly params: PathParams = {},
  ) {
    this.token = token;
    this.renewal = new TokenRenewal(() => this.renewToken(), settings.random);
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** The token in use (for REST catch-up requests). */
  get currentToken(): string | null | undefined {
    return this.token;
  }

  /** True after `close()` until the next `connect()`. */
  get stopped(): boolean {
    return this.closedByClient;
  }

  /** Identifies the current socket; compare later to know whether it was replaced meanwhile. */
  get generation(): number {
    return this.socketGeneration;
  }

  /** True while queued frames wait for the session's replay. */
  get awaitingReplay(): boolean {
    return this.holdingForReplay;
  }

  get queuedFrames(): readonly AnyClientFrame[] {
    return this.queue;
  }

  get lastDisconnect(): DisconnectInfo | undefined {
    return this.lastClose;
  }

  onConnect(cb: (info: ConnectInfo) => void): Unsubscribe {
    return subscribe(this.connectHandlers, cb);
  }

  onDisconnect(cb: (info: DisconnectInfo) => void): Unsubscribe {
    return subscribe(this.disconnectHandlers, cb);
  }

  onStateChange(cb: (state: ConnectionState) => void): Unsubscribe {
    return subscribe(this.stateHandlers, cb);
  }

  onQueueDrop(cb: (frame: AnyClientFrame) => void): Unsubscribe {
    return subscribe(this.dropHandlers, cb);
  }

  onFrame(type: string, handler: (frame: ServerFrame) => void): Unsubscribe {
    let set = this.frameHandlers.get(type);
    if (!set) {
      set = new Set();
      this.frameHandlers.set(type, set);
    }
    return subscribe(set, handler);
  }

  /** Hands `frame` to the handlers registered for its type. */
  dispatch(frame: ServerFrame): void {
    const handlers = this.frameHandlers.get(frame.type);
    if (handlers) this.emit(handlers, frame);
  }

  /** Reports a failure of a handler or of a background step (`onHandlerError`). */
  report(error: unknown): void {
    this.settings.onHandlerError(error);
  }

  send(frame: AnyClientFrame): SendResult {
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
    if (TRANSIENT.has(frame.type) || this.settings.maxQueueSize === 0) return { status: 'dropped', frame };
    this.queue.push(frame);
    this.trimQueue();
    return { status: 'queued', frame };
  }

  /** Removes queued frames the session no longer wants sent (e.g. a message the server already stored). */
  unqueue(matches: (frame: AnyClientFrame) => boolean): void {
    this.queue = this.queue.filter((frame) => !matches(frame));
  }

  updateToken(token: string): void {
    this.adoptToken(token, false);
  }

  connect(): void {
    if (this.currentState !== 'idle' && this.currentState !== 'closed') return;
    this.closedByClient = false;
    this.attempt = 0;
    this.setState('connecting');
    if (this.token) this.open();
    else this.refreshTokenThen(() => this.open(), 'no token');
  }

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
        this.report(error);
      }
    }
    if (this.currentState === 'closed') return;
    this.setState('closed');
    const info: DisconnectInfo = { code, reason, willReconnect: false, byClient: true };
    this.lastClose = info;
    if (wasOpen || this.everConnected) this.emit(this.disconnectHandlers, info);
  }

  /** The session's replay is over (or will not come): queued frames go out now. */
  finishReplay(): void {
    clearTimeout(this.replayTimer);
    this.replayTimer = undefined;
    if (!this.holdingForReplay) return;
    this.holdingForReplay = false;
    this.flush();
  }

  // ---- connection lifecycle ---------------------------------------------------------

  private open(): void {
    if (this.closedByClient) return;
    const resume = this.session.resumeQuery();
    const query: Record<string, string | undefined> = { token: this.token ?? undefined, ...resume };
    const replayRequested = Object.keys(resume).length > 0;
    const url = endpointUrl(this.settings.baseUrl, this.endpoint, { params: this.params, query });
    let socket: WebSocketLike;
    try {
      socket = new this.settings.WebSocket(url) as WebSocketLike;
    } catch (error) {
      this.report(error);
      this.handleClose(ABNORMAL, error instanceof Error ? error.message : 'could not open');
      return;
    }
    this.socket = socket;
    this.socketGeneration += 1;
    this.holdingForReplay = false;
    socket.onopen = () => undefined;
    socket.onmessage = (event) => {
      if (this.socket === socket) this.handleMessage(event.data, replayRequested);
    };
    socket.onclose = (event) => {
      if (this.socket === socket) this.handleClose(event.code || ABNORMAL, event.reason ?? '');
    };
    // Without an error listener the `ws` package throws; the close event that follows does the work.
    socket.onerror = () => undefined;
    if (this.settings.connectTimeoutMs > 0) {
      this.connectTimer = setTimeout(() => {
        if (this.socket === socket && this.currentState !== 'open') this.abandon(socket, 'connect timeout');
      }, this.settings.connectTimeoutMs);
    }
  }

  /** Gives up on a socket that never opened or went silent, as if it had closed. */
  private abandon(socket: WebSocketLike, reason: string): void {
    this.detach();
    try {
      socket.close();
    } catch {
      // A socket still connecting may refuse close(); it is abandoned either way.
    }
    this.handleClose(ABNORMAL, reason);
  }

  /** One keep-alive period: ping after silence, give up after silence that outlasted a ping. */
  private keepAliveTick(): void {
    const socket = this.socket;
    if (!socket || this.currentState !== 'open') return;
    if (this.heard) {
      this.heard = false;
      this.pingOutstanding = false;
      return;
    }
    if (this.pingOutstanding) return this.abandon(socket, 'keep-alive timeout');
    this.pingOutstanding = true;
    if (socket.readyState === OPEN) this.write({ type: 'ping' });
  }

  private handleMessage(data: unknown, replayRequested: boolean): void {
    this.heard = true;
    const text = typeof data === 'string' ? data : decodeText(data);
    if (text === undefined) return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      return; // Not our protocol; the server never sends this.
    }
    if (!frame || typeof frame !== 'object' || typeof frame.type !== 'string') return;
    if (frame.type !== 'connection_established') {
      this.session.receive(frame);
      return;
    }
    clearTimeout(this.connectTimer);
    this.attempt = 0;
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.setState('open');
    if (replayRequested) {
      // Hold queued frames until the replay shows which unconfirmed messages were stored.
      this.holdingForReplay = true;
      this.replayTimer = setTimeout(() => this.finishReplay(), this.settings.replayTimeoutMs);
    } else {
      this.flush();
    }
    if (this.settings.refreshBeforeExpiry && this.settings.getToken && !this.renewal.pending) {
      this.renewal.schedule(this.token);
    }
    if (this.settings.keepAliveMs > 0) {
      // The period starts now: connection_established itself does not count as heard.
      this.heard = this.pingOutstanding = false;
      this.keepAliveTimer = setInterval(() => this.keepAliveTick(), this.settings.keepAliveMs);
    }
    this.dispatch(frame);
    this.emit(this.connectHandlers, { reconnected });
  }

  private handleClose(code: number, reason: string): void {
    const wasOpen = this.currentState === 'open';
    this.detach();
    this.clearTimers();
    const unconfirmed = this.session.takeUnconfirmed();
    if (unconfirmed.length > 0) {
      this.queue = [...unconfirmed, ...this.queue];
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
    if (!this.settings.reconnect || isTerminal(code)) return stop('closed');
    if (code === CloseCode.Unauthorized && !this.settings.getToken) return stop('token refused and no getToken');
    if (this.attempt >= this.settings.maxReconnectAttempts) return stop('gave up reconnecting');

    this.attempt += 1;
    const attempt = this.attempt;
    const delayMs = backoffDelay(attempt, this.settings.backoff, this.settings.random);
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
    const getToken = this.settings.getToken;
    const giveUp = () => {
      if (this.closedByClient) return;
      this.setState('closed');
      const info: DisconnectInfo = { code: CloseCode.Unauthorized, reason: why, willReconnect: false, byClient: false };
      this.lastClose = info;
      this.emit(this.disconnectHandlers, info);
    };
    if (!getToken) return giveUp();
    let result: ReturnType<typeof getToken>;
    try {
      result = getToken();
    } catch (error) {
      this.report(error);
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
        this.report(error);
        giveUp();
      },
    );
  }

  /**
   * Uses `token` from now on: sent in-band on an open connection, used by the next one, and its
   * renewal scheduled. `fresh`: just issued (from getToken), so its whole lifetime is ahead.
   */
  private adoptToken(token: string, fresh: boolean): void {
    if (this.settings.refreshBeforeExpiry && this.settings.getToken && !this.closedByClient) {
      this.renewal.schedule(token, fresh);
    }
    if (token === this.token) return;
    this.token = token;
    if (this.currentState === 'open' && this.socket?.readyState === OPEN) this.write({ type: 'auth', token });
  }

  /** The token is about to expire: ask getToken() for the next one and send it in-band. */
  private renewToken(): void {
    const getToken = this.settings.getToken;
    if (!getToken || this.closedByClient) return;
    Promise.resolve()
      .then(() => getToken())
      .then(
        (token) => {
          // No token: the server closes with 4401 at expiry and the usual path takes over.
          if (token && !this.closedByClient) this.adoptToken(token, true);
        },
        (error: unknown) => this.report(error),
      );
  }

  // ---- sending ----------------------------------------------------------------------

  private isReady(): boolean {
    return this.currentState === 'open' && !this.holdingForReplay && this.socket?.readyState === OPEN;
  }

  private write(frame: AnyClientFrame): void {
    this.socket!.send(JSON.stringify(frame));
    this.session.written(frame);
  }

  private flush(): void {
    while (this.queue.length > 0 && this.isReady()) this.write(this.queue.shift()!);
  }

  private trimQueue(): void {
    while (this.queue.length > this.settings.maxQueueSize) this.emit(this.dropHandlers, this.queue.shift()!);
  }

  // ---- helpers ----------------------------------------------------------------------

  private detach(): void {
    const socket = this.socket;
    this.socket = null;
    this.holdingForReplay = false;
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
    clearInterval(this.keepAliveTimer);
    this.retryTimer = this.connectTimer = this.replayTimer = this.keepAliveTimer = undefined;
  }

  private setState(state: ConnectionState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit(this.stateHandlers, state);
  }

  private emit<A>(handlers: Set<(arg: A) => void>, arg: A): void {
    for (const handler of [...handlers]) {
      try {
        handler(arg);
      } catch (error) {
        this.report(error);
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
