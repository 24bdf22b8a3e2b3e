import type { ClientFrameMap, ClientFrameTypeOf, Endpoint, ServerFrameMap, ServerFrameTypeOf } from '@numerai/protocol';

/** Frames each endpoint accepts from a client (`ping` and `auth` work everywhere): the contract's, in libs/protocol. */
export type EndpointClientFrames = { [E in Endpoint]: ClientFrameTypeOf<E> };

/** Frames each endpoint may send to a client: the contract's, in libs/protocol. */
export type EndpointServerFrames = { [E in Endpoint]: ServerFrameTypeOf<E> };

/** What `send(type, payload)` takes: the frame without its `type`. */
export type FramePayload<T extends keyof ClientFrameMap> = Omit<ClientFrameMap[T], 'type'>;

/** The payload argument is optional exactly when the frame has no required field (`mark_all_read`, `ping`). */
export type PayloadArgs<T extends keyof ClientFrameMap> =
  object extends FramePayload<T> ? [payload?: FramePayload<T>] : [payload: FramePayload<T>];

export type FrameHandler<T extends keyof ServerFrameMap> = (frame: ServerFrameMap[T]) => void;

/** Removes the handler it was returned for. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/**
 * - `idle`: created with `autoConnect: false` and not connected yet.
 * - `connecting`: a socket is opening, or open and waiting for `connection_established`.
 * - `open`: `connection_established` received; frames are sent at once.
 * - `reconnecting`: the connection dropped; waiting for the next attempt (or for `getToken()`).
 * - `closed`: `close()` was called, the server refused for good (1000, 4400, 4403, 4404, 4401
 *   without a new token), or the attempts ran out. `connect()` starts over.
 */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectInfo {
  /** True when this is not the first connection of this client. */
  reconnected: boolean;
}

export interface DisconnectInfo {
  /** The WebSocket close code (1006 when the connection failed without one). */
  code: number;
  reason: string;
  /** True when another attempt is scheduled. */
  willReconnect: boolean;
  /** Number of the attempt that will follow (1-based), when `willReconnect`. */
  attempt?: number;
  /** Milliseconds until that attempt, when `willReconnect`. */
  delayMs?: number;
  /** True when `close()` caused it. */
  byClient: boolean;
}

export interface SendResult<T extends keyof ClientFrameMap = keyof ClientFrameMap> {
  /**
   * - `sent`: written to the open socket.
   * - `queued`: kept until the next connection (the connection is not open).
   * - `dropped`: not open and the frame is transient (`typing`, `ping`, `auth`), so queueing it makes no sense.
   */
  status: 'sent' | 'queued' | 'dropped';
  /** The frame as it goes on the wire (for `chat_message`, with the `client_id` that was added). */
  frame: ClientFrameMap[T];
}

/**
 * The part of a WebSocket that the client uses: the browser's `WebSocket` and the `ws`
 * package's both fit.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A WebSocket class: `globalThis.WebSocket` in a browser, `require('ws')` in Node. */
export type WebSocketConstructor = new (url: string) => unknown;

/** Options shared by the three clients. */
export interface WebSocketClientOptions {
  /**
   * Where the API lives: `https://api.numerobuddy.com`, `ws://localhost:8000` or the published
   * `wss://api.numerobuddy.com/ws/` (a trailing `/ws/` is understood). http(s) becomes ws(s).
   * Defaults to the page's origin in a browser; required in Node.
   */
  baseUrl?: string;

  /**
   * The WebSocket implementation. Defaults to `globalThis.WebSocket` (every browser; Node ≥ 22).
   * In Node 20 pass the `ws` package: `{ WebSocket: require('ws') }`.
   */
  WebSocket?: WebSocketConstructor;

  /**
   * Called for a fresh JWT when the server closes with 4401 (missing, invalid or expired token),
   * before the first connection when no token was given, and shortly before the token in use
   * expires (see `refreshBeforeExpiry`). Return the new token, or null/undefined to stop
   * reconnecting. Without it, a 4401 ends the client. `createRefreshingTokenSource` builds one
   * over `POST /api/auth/refresh`.
   */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;

  /**
   * Renew the token before it expires: at 80 % of its lifetime or 60 s before `exp`, whichever
   * comes first (with a little jitter), `getToken()` is asked for a new one, which is sent in-band
   * (`{"type":"auth"}`) so the connection stays open. If that fails the server closes with 4401 at
   * expiry and the client reconnects with a fresh token. Needs `getToken` and a JWT with `exp`.
   * Default true.
   */
  refreshBeforeExpiry?: boolean;

  /** Connect as soon as the client is created. Default true; with false, call `connect()`. */
  autoConnect?: boolean;

  /** Reconnect after an unexpected close (see `maxReconnectAttempts`). Default true. */
  reconnect?: boolean;

  /**
   * Retries after a connection is lost before giving up (state `closed`). The count starts
   * again after every successful connection. Default 5 (the published limit).
   */
  maxReconnectAttempts?: number;

  /** Delay before the first retry, in milliseconds. Default 1000 (the published 1 s). */
  initialDelayMs?: number;

  /** Multiplier between consecutive retry delays. Default 2 (the published 2^n s). */
  backoffFactor?: number;

  /** Upper bound of a retry delay before randomisation, in milliseconds. Default 30000. */
  maxDelayMs?: number;

  /**
   * Randomisation of every retry delay: 0.5 (the default) picks uniformly within ±50 %, so
   * clients dropped together do not return together. 0 disables it.
   */
  jitter?: number;

  /** Source of randomness in [0, 1) for the jitter. Default Math.random; tests pass their own. */
  random?: () => number;

  /**
   * How long a connection attempt may take until `connection_established` arrives before it is
   * abandoned and counted as a failed attempt, in milliseconds. Default 10000.
   */
  connectTimeoutMs?: number;

  /**
   * Frames kept while disconnected, sent in order after the next connection. When full the
   * oldest frame is dropped and `onQueueDrop` handlers hear about it. Default 100; 0 disables queueing.
   */
  maxQueueSize?: number;

  /**
   * Where exceptions thrown by your own handlers go, so one faulty handler cannot break the
   * client or the other handlers — and failures the client recovers from by itself: a REST
   * catch-up page that failed (the next connection's replay fills the gap), a `getToken()` that
   * threw. Default: `reportError` in browsers, `console.error` elsewhere.
   */
  onHandlerError?: (error: unknown) => void;
}

/** Options of the streams that resume where they left off: chat and notifications. */
export interface StreamOptions {
  /**
   * The position (`seq`) up to which the caller already holds every item, e.g. the newest of
   * the REST history. The first connection then asks for everything after it (`?last_seq=`),
   * exactly as reconnects do.
   */
  lastSeq?: number;

  /**
   * How long to wait, after connecting with a resume point, for `replay_complete` (and the REST
   * pages a `has_more` asks for) before sending queued frames anyway, in milliseconds. Default 10000.
   */
  replayTimeoutMs?: number;

  /**
   * How the client reads REST pages when a replay ends with `has_more` or a gap in `seq` shows:
   * GET `path` (e.g. `/api/consultations/…/messages?after_seq=41&limit=100`) against the API
   * with the bearer token, resolving the parsed JSON. Default: the global fetch against the
   * http(s) origin of `baseUrl` with the client's current token.
   */
  httpGet?: (path: string) => Promise<unknown>;

  /**
   * Most REST pages (of 100) read in one catch-up; what is beyond is asked for on the next
   * connection. Bounds the work a misbehaving server can cause. Default 50.
   */
  maxCatchUpPages?: number;
}

/** Options of `createChatWebSocket`. */
export interface ChatWebSocketOptions extends WebSocketClientOptions, StreamOptions {
  /**
   * Id of the newest message the caller already has, for servers that send no `seq` (prefer
   * `lastSeq`). The first connection then asks for everything after it (`?last_message_id=`).
   */
  lastMessageId?: string;
}

/** Options of `createNotificationsWebSocket`. */
export interface NotificationsWebSocketOptions extends WebSocketClientOptions, StreamOptions {
  /** Id of the newest notification the caller already has, for servers that send no `seq` (prefer `lastSeq`). */
  lastNotificationId?: string;
}

export type { Endpoint };

/** Options of `createAvailabilityWebSocket`. */
export interface AvailabilityWebSocketOptions extends WebSocketClientOptions {
  /** Most pages (of 100) of the listing read per connection; the session asks for them itself. Default 100. */
  maxPages?: number;
}
