import { CloseCode, type ClientFrameMap, type Endpoint, type ServerFrame } from '@numerai/protocol';
import {
  ReconnectingConnection,
  resolveConnectionSettings,
  type AnyClientFrame,
  type KeepAliveOptions,
  type SessionHooks,
} from './connection';
import type { PathParams } from './urls';
import type {
  ConnectInfo,
  ConnectionState,
  DisconnectInfo,
  EndpointClientFrames,
  EndpointServerFrames,
  FrameHandler,
  PayloadArgs,
  SendResult,
  Unsubscribe,
  WebSocketClientOptions,
} from './types';

/**
 * The part every endpoint's session shares: the public surface over its `ReconnectingConnection`.
 * A subclass says how it resumes (`resumeQuery`) and what it does with the frames it receives
 * (`receive`); by default it resumes nothing and hands every frame to the `on` handlers.
 * Subclasses call `start(options)` at the end of their constructor, once their own state exists.
 */
export abstract class EndpointSession<E extends Endpoint> {
  protected readonly connection: ReconnectingConnection;

  protected constructor(
    readonly endpoint: E,
    token: string | null | undefined,
    options: WebSocketClientOptions & KeepAliveOptions & { replayTimeoutMs?: number },
    params: PathParams = {},
  ) {
    // The hooks reach the subclass's overrides; they are called only after its constructor ran.
    const hooks: SessionHooks = {
      resumeQuery: () => this.resumeQuery(),
      receive: (frame) => this.receive(frame),
      written: (frame) => this.written(frame),
      takeUnconfirmed: () => this.takeUnconfirmed(),
    };
    this.connection = new ReconnectingConnection(endpoint, token, resolveConnectionSettings(options), hooks, params);
  }

  protected start(options: WebSocketClientOptions): void {
    if (options.autoConnect ?? true) this.connect();
  }

  /** Where the connection stands; see `ConnectionState`. */
  get state(): ConnectionState {
    return this.connection.state;
  }

  /** True while the state is `open`. */
  get isConnected(): boolean {
    return this.connection.state === 'open';
  }

  /** Frames waiting for the next connection, oldest first. */
  get queuedFrames(): readonly ClientFrameMap[keyof ClientFrameMap][] {
    return this.connection.queuedFrames;
  }

  /** How the last connection ended, if one did. */
  get lastDisconnect(): DisconnectInfo | undefined {
    return this.connection.lastDisconnect;
  }

  /** Calls `cb` every time the server confirms a connection (`connection_established`). */
  onConnect(cb: (info: ConnectInfo) => void): Unsubscribe {
    return this.connection.onConnect(cb);
  }

  /** Calls `cb` when an established connection ends, and when the client gives up or is refused. */
  onDisconnect(cb: (info: DisconnectInfo) => void): Unsubscribe {
    return this.connection.onDisconnect(cb);
  }

  /** Calls `cb` on every change of `state`. */
  onStateChange(cb: (state: ConnectionState) => void): Unsubscribe {
    return this.connection.onStateChange(cb);
  }

  /** Calls `cb` with each queued frame dropped because the queue was full. */
  onQueueDrop(cb: (frame: ClientFrameMap[keyof ClientFrameMap]) => void): Unsubscribe {
    return this.connection.onQueueDrop(cb);
  }

  /** Calls `handler` with every frame of `type` this endpoint sends (replayed duplicates once). */
  on<T extends EndpointServerFrames[E]>(type: T, handler: FrameHandler<T>): Unsubscribe {
    return this.connection.onFrame(type, handler as (frame: ServerFrame) => void);
  }

  /**
   * Sends `{ type, ...payload }`. While disconnected the frame is queued (transient frames —
   * typing, ping, auth — are dropped instead). A `chat_message` gets a `client_id` unless it has one.
   * Throws a RangeError for a frame over the 64 KB protocol limit (the server would close the connection).
   */
  send<T extends EndpointClientFrames[E]>(type: T, ...args: PayloadArgs<T>): SendResult<T> {
    const frame = { ...(args[0] ?? {}), type } as unknown as ClientFrameMap[T];
    return this.connection.send(frame) as SendResult<T>;
  }

  /**
   * Replaces the token used for future connections; on an open connection also sends it
   * in-band (`{"type":"auth"}`) so the server does not close at the old token's expiry.
   */
  updateToken(token: string): void {
    this.connection.updateToken(token);
  }

  /**
   * Opens the connection if it is idle or closed (after `close()` or giving up), with a fresh
   * attempt count. Does nothing while connected or connecting.
   */
  connect(): void {
    this.connection.connect();
  }

  /**
   * Closes the connection for good (code 1000): no reconnect follows. Queued frames are kept,
   * so a later `connect()` still sends them.
   */
  close(code: number = CloseCode.Normal, reason = 'client closed'): void {
    this.connection.close(code, reason);
  }

  // ---- SessionHooks: the defaults of an endpoint with nothing to resume -------------

  protected resumeQuery(): Record<string, string> {
    return {};
  }

  protected receive(frame: ServerFrame): void {
    this.connection.dispatch(frame);
  }

  protected written(_frame: AnyClientFrame): void {
    // Nothing to remember by default.
  }

  protected takeUnconfirmed(): AnyClientFrame[] {
    return [];
  }
}
