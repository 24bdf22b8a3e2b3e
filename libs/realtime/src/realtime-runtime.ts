import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { Authenticator, InvalidTokenError } from '@numerai/auth';
import { AppConfig } from '@numerai/config';
import { realtimeMetrics } from '@numerai/metrics';
import { ClientFrameType, CloseCode, type ServerFrame } from '@numerai/protocol';
import { RequestBudget } from '@numerai/rate-limit';
import { AuthFrame } from './built-in-frames';
import { ClientConnection, CONNECTION, SocketWithConnection } from './client-connection';
import { ConnectionDirectory } from './connection-directory';
import { ConnectionRegistry } from './connection-registry';
import { Admission, EndpointHooks, isRefusal, Refusal } from './endpoint';
import { frameRef, parseFrame, peekFrame, RawFrame } from './frame-parser';
import { FrameDto, validateFrame } from './frame-validation';
import { frameHandlersOf } from './on-frame.decorator';
import { RoutePattern } from './route';
import { SessionRevocations } from './session-revocations';
import { KeepAlive } from './keep-alive';
import { UpgradeGate } from './upgrade-gate';
import { errorFrame, WsError } from './ws-error';
import { WsExceptionFilter } from './ws-exception-filter';

type FrameResult = ServerFrame | void | undefined;

interface FrameHandler {
  dto?: FrameDto<object>;
  invoke(connection: ClientConnection, frame: object): FrameResult | Promise<FrameResult>;
}

/** One gateway's server, path and handler table, built once at start-up. */
export interface EndpointBinding {
  server: WebSocketServer;
  pattern: RoutePattern;
  hooks: EndpointHooks;
  handlers: Map<string, FrameHandler>;
}

/** After this many consecutive rate-limited frames the connection is closed with 4429. */
const SUSTAINED_ABUSE_FRAMES = 100;
/** How long a condemned connection's accepted frames may take to answer before it is closed regardless. */
const ABUSE_DRAIN_MS = 5000;

/**
 * What the three gateways share at run time: routing an upgrade to its endpoint (the
 * UpgradeGate decides who gets in), one message listener per socket dispatching through
 * the endpoint's handler table, errors as protocol frames, and graceful shutdown.
 */
@Injectable()
export class RealtimeRuntime implements BeforeApplicationShutdown, OnModuleDestroy {
  private readonly logger = new Logger('Realtime');
  private readonly bindings = new Map<string, EndpointBinding>();
  private sequence = 0;
  private readonly instanceTag = Math.random().toString(36).slice(2, 8);
  private readonly keepAlive: KeepAlive;
  private readonly exceptionFilter = new WsExceptionFilter();
  private inFlight = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly authenticator: Authenticator,
    private readonly registry: ConnectionRegistry,
    @Inject(ConnectionDirectory) private readonly directory: ConnectionDirectory,
    private readonly budget: RequestBudget,
    private readonly gate: UpgradeGate,
    private readonly revocations: SessionRevocations,
  ) {
    ClientConnection.maxBufferedBytes = config.ws.maxBufferedBytes;
    revocations.onEnded((connection) =>
      this.close(connection, CloseCode.Unauthorized, 'unauthorized', 'The session has ended'),
    );
    this.keepAlive = new KeepAlive(registry, config.ws, (connection, verdict) =>
      verdict === 'expired'
        ? this.close(connection, CloseCode.Unauthorized, 'unauthorized', 'Token expired')
        : this.close(connection, CloseCode.IdleTimeout, undefined, 'Idle timeout'),
    );
  }

  // ---- wiring ---------------------------------------------------------------

  /** Called by a gateway's afterInit: from now on upgrades matching `path` reach it. */
  bind(server: WebSocketServer, path: string, hooks: EndpointHooks): void {
    const handlers = new Map<string, FrameHandler>();
    for (const meta of frameHandlersOf(hooks.constructor)) {
      const method = (hooks as unknown as Record<string, (c: ClientConnection, f: object) => FrameResult>)[meta.method];
      handlers.set(meta.type, { dto: meta.dto, invoke: method.bind(hooks) });
    }
    handlers.set('ping', { invoke: () => ({ type: 'pong' }) });
    handlers.set('auth', { dto: AuthFrame, invoke: (c, f) => this.renew(c, (f as AuthFrame).token) });
    this.bindings.set(hooks.endpoint, { server, pattern: new RoutePattern(path), hooks, handlers });
    this.keepAlive.start();
  }

  /** The adapter's upgrade listener: route, admit, then accept or refuse (after the upgrade, so browsers see why). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, fallback: WebSocketServer): void {
    socket.on('error', () => socket.destroy());
    const screened = this.gate.screen(request);
    if (screened === 'flood') {
      socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (screened) {
      this.refuseAfterUpgrade(fallback, request, socket, head, screened);
      return;
    }
    const url = new URL(request.url ?? '/', 'ws://localhost');
    for (const binding of this.bindings.values()) {
      const params = binding.pattern.match(url.pathname);
      if (params) {
        void this.admitAndUpgrade(binding, request, socket, head, params, url.searchParams);
        return;
      }
    }
    this.refuseAfterUpgrade(fallback, request, socket, head, {
      closeCode: CloseCode.NotFound,
      code: 'not_found',
      message: 'No WebSocket endpoint at this path',
    });
  }

  private async admitAndUpgrade(
    binding: EndpointBinding,
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    params: Record<string, string>,
    query: URLSearchParams,
  ): Promise<void> {
    const outcome = await this.gate.admit(binding.hooks, request, params, query);
    if (isRefusal(outcome)) {
      if (!socket.destroyed) this.refuseAfterUpgrade(binding.server, request, socket, head, outcome);
      return;
    }
    try {
      if (socket.destroyed) return;
      // Accepts synchronously: from here on the registry counts the connection instead of the reservation.
      binding.server.handleUpgrade(request, socket, head, (ws) =>
        this.accept(binding, ws, outcome.principal, outcome.admission, query),
      );
    } finally {
      outcome.release();
    }
  }

  private refuseAfterUpgrade(
    server: WebSocketServer,
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    refusal: Refusal,
  ): void {
    server.handleUpgrade(request, socket, head, (ws) => this.refuse(ws, refusal));
  }

  /** One `error` frame, then the close: how every refusal of an upgraded socket looks. */
  private refuse(ws: WebSocket, refusal: Refusal): void {
    realtimeMetrics.error(refusal.code);
    ws.on('error', () => undefined);
    ws.send(JSON.stringify(errorFrame(refusal.code, refusal.message)));
    ws.close(refusal.closeCode, refusal.message.slice(0, 120));
    // A client that never answers the close handshake must not hold the socket.
    setTimeout(() => ws.terminate(), 5000).unref();
  }

  // ---- connection lifecycle ---------------------------------------------------

  private accept(
    binding: EndpointBinding,
    socket: SocketWithConnection,
    user: ClientConnection['user'],
    admission: Admission,
    query: URLSearchParams,
  ): void {
    if (this.revocations.wasRevoked(user.sid)) {
      // Authenticated just before its session ended; the revocation event has already passed by.
      this.refuse(socket, {
        closeCode: CloseCode.Unauthorized,
        code: 'unauthorized',
        message: 'The session has ended',
      });
      return;
    }
    const id = `${this.instanceTag}-${(++this.sequence).toString(36)}`;
    const connection = new ClientConnection(
      id,
      socket,
      binding.hooks.endpoint,
      user,
      admission.room,
      admission.context,
      Date.now(),
    );
    socket.on('message', this.onMessage);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
    socket.on('pong', this.onActivity);
    socket.on('ping', this.onActivity);
    this.registry.add(connection);
    const following = this.directory.opened(connection);
    // Subscribe first, then read: the connection is announced, and its hook's catch-up
    // (replay, snapshot) runs, once this instance hears the connection's events, so none
    // falls between the two. Live frames meanwhile wait behind `connection_established`
    // (a hook that holds itself takes them over; released here if it does not).
    connection.hold();
    this.track(
      connection,
      () =>
        following
          .then(() => {
            connection.send({ type: 'connection_established', ...binding.hooks.established(connection) });
            return binding.hooks.opened?.(connection, query);
          })
          .finally(() => connection.release()),
      undefined,
    );
  }

  private release(connection: ClientConnection): void {
    if (!this.registry.remove(connection)) return;
    this.directory.closed(connection);
    this.bindingOf(connection).hooks.closed?.(connection);
  }

  /** Shared listeners: `this` is the socket, so no closure is allocated per connection. */
  private readonly onMessage = ((runtime: RealtimeRuntime) =>
    function (this: SocketWithConnection, data: Buffer, isBinary: boolean) {
      const connection = this[CONNECTION];
      if (connection) runtime.dispatch(connection, data, isBinary);
    })(this);

  private readonly onClose = ((runtime: RealtimeRuntime) =>
    function (this: SocketWithConnection) {
      const connection = this[CONNECTION];
      if (connection) runtime.release(connection);
    })(this);

  private readonly onError = ((runtime: RealtimeRuntime) =>
    function (this: SocketWithConnection, error: Error & { code?: string }) {
      // ws closes the socket itself (e.g. 1009 for an oversized frame); this only records why.
      runtime.logger.debug(`socket error: ${error.code ?? error.message}`);
    })(this);

  private readonly onActivity = function (this: SocketWithConnection) {
    const connection = this[CONNECTION];
    if (connection) connection.lastActivityMs = Date.now();
  };

  private bindingOf(connection: ClientConnection): EndpointBinding {
    return this.bindings.get(connection.endpoint)!;
  }

  // ---- frames -----------------------------------------------------------------

  private dispatch(connection: ClientConnection, data: Buffer, isBinary: boolean): void {
    connection.lastActivityMs = Date.now();
    // Condemned for abuse: it has been told (or will be, once drained); nothing more is processed.
    if (connection.closeWhenIdle) return;
    let frame: RawFrame | undefined;
    this.track(
      connection,
      async () => {
        // Every frame spends budget, valid or not, so garbage floods are limited too.
        const decision = await this.budget.spend(connection.userId);
        if (!decision.allowed) {
          if (++connection.refusedFrames >= SUSTAINED_ABUSE_FRAMES) {
            this.condemn(connection, decision.retryAfterMs);
            return undefined;
          }
          // Not processed, but the refusal still names the frame it answers (ref = its client_id).
          frame = peekFrame(data, isBinary);
          throw new WsError('rate_limited', 'Rate limit exceeded', { retry_after_ms: decision.retryAfterMs });
        }
        connection.refusedFrames = 0;
        frame = parseFrame(data, isBinary);
        const handler = this.bindingOf(connection).handlers.get(frame.type);
        if (handler) realtimeMetrics.frameIn(frame.type);
        if (!handler) throw new WsError('unknown_type', `Unknown frame type on the ${connection.endpoint} endpoint`);
        const input = handler.dto ? validateFrame(handler.dto, frame) : frame;
        return handler.invoke(connection, input);
      },
      () => frameRef(frame),
    );
  }

  /**
   * Runs one unit of work for a connection, sends what it returns, and turns any
   * failure into an `error` frame — the one place unknown errors become `internal`.
   */
  private track(
    connection: ClientConnection,
    work: () => FrameResult | Promise<FrameResult>,
    ref: (() => string | undefined) | undefined,
  ): void {
    this.inFlight++;
    connection.pendingFrames++;
    const answer = (send: () => void) => {
      this.inFlight--;
      send();
      if (--connection.pendingFrames === 0) connection.closeWhenIdle?.();
    };
    let result: FrameResult | Promise<FrameResult>;
    try {
      result = work();
    } catch (error) {
      answer(() => this.sendError(connection, error, ref?.()));
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (frame) => answer(() => frame && connection.send(frame)),
        (error: unknown) => answer(() => this.sendError(connection, error, ref?.())),
      );
      return;
    }
    answer(() => result && connection.send(result));
  }

  /**
   * Sustained abuse: stop processing this connection's frames, let the ones already
   * accepted answer (a stored message's acknowledgement included), then close with 4429,
   * saying when to come back: a final `rate_limited` error with `retry_after_ms`, and the
   * same in the close reason. Bounded: closed after ABUSE_DRAIN_MS whatever is pending.
   */
  private condemn(connection: ClientConnection, retryAfterMs: number): void {
    let closed = false;
    connection.closeWhenIdle = () => {
      if (closed) return;
      closed = true;
      clearTimeout(deadline);
      this.close(
        connection,
        CloseCode.TooManyRequests,
        'rate_limited',
        `Rate limit exceeded repeatedly; retry after ${retryAfterMs} ms`,
        retryAfterMs,
      );
    };
    const deadline = setTimeout(() => connection.closeWhenIdle?.(), ABUSE_DRAIN_MS);
    deadline.unref();
  }

  private sendError(connection: ClientConnection, error: unknown, ref: string | undefined): void {
    connection.send(this.exceptionFilter.catch(error, ref));
  }

  private async renew(connection: ClientConnection, token: string): Promise<ServerFrame> {
    let principal;
    try {
      principal = await this.authenticator.authenticate(token);
    } catch (error) {
      // Only a bad token is `unauthorized`; an outage goes on as `internal` (logged by the exception filter).
      if (error instanceof InvalidTokenError) throw new WsError('unauthorized', 'The token is invalid or expired');
      throw error;
    }
    if (principal.id !== connection.userId) throw new WsError('unauthorized', 'The token belongs to another user');
    // Its session may have ended between the check above and now (the event has passed by).
    if (this.revocations.wasRevoked(principal.sid)) throw new WsError('unauthorized', 'The session has ended');
    connection.user = principal;
    connection.expiresAt = principal.exp;
    return { type: 'auth_ok', expires_at: new Date(principal.exp * 1000).toISOString() };
  }

  /** Optionally one `error` frame, then the close; the registry forgets the connection at once. */
  close(
    connection: ClientConnection,
    code: number,
    errorCode: 'unauthorized' | 'rate_limited' | undefined,
    reason: string,
    retryAfterMs?: number,
  ) {
    if (errorCode) {
      realtimeMetrics.error(errorCode);
      connection.send(errorFrame(errorCode, reason, undefined, { retry_after_ms: retryAfterMs }));
    }
    if (connection.isOpen) connection.socket.close(code, reason);
    this.release(connection);
    setTimeout(() => connection.socket.terminate(), 5000).unref();
  }

  // ---- shutdown -----------------------------------------------------------------

  /** Stop admitting, let frames in flight finish, then close every socket with 1001. */
  async beforeApplicationShutdown(): Promise<void> {
    this.gate.close();
    this.keepAlive.stop();
    const deadline = Date.now() + Math.min(3000, this.config.shutdownTimeoutMs / 2);
    while (this.inFlight > 0 && Date.now() < deadline) await delay(10);
    const closing = [...this.registry.all()].map(
      (connection) =>
        new Promise<void>((resolve) => {
          connection.socket.once('close', () => resolve());
          connection.socket.close(CloseCode.GoingAway, 'Server shutting down');
        }),
    );
    await Promise.race([Promise.all(closing), delay(1500)]);
    for (const connection of [...this.registry.all()]) {
      connection.socket.terminate();
      this.release(connection);
    }
  }

  onModuleDestroy(): void {
    this.keepAlive.stop();
  }

  /** Types the built-in handlers accept on every endpoint. */
  static readonly builtInFrames: readonly ClientFrameType[] = ['ping', 'auth'];
}

/** A wait that never keeps the process alive on its own (shutdown must be able to finish early). */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
