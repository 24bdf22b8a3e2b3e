import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { AppConfig } from '@numerai/config';
import { channelsOfConnection, EventBus } from '@numerai/events';
import { realtimeMetrics } from '@numerai/metrics';
import { CloseCode } from '@numerai/protocol';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { ClientConnection, CONNECTION, type SendLimits, SocketWithConnection } from './client-connection';
import { ConnectionCloser } from './connection-closer';
import { ConnectionDirectory } from './connection-directory';
import { ConnectionRegistry } from './connection-registry';
import { Admission, isRefusal, Refusal } from './endpoint';
import { EndpointBinding, EndpointTable } from './endpoint-table';
import { FrameDispatcher } from './frame-dispatcher';
import { SessionRevocations } from './session-revocations';
import { UpgradeGate } from './upgrade-gate';
import { errorFrame } from './ws-error';

/** How long a refused socket may take to finish the close handshake before it is cut. */
const REFUSAL_HANDSHAKE_MS = 5000;

/**
 * The adapter's upgrade listener: routes an upgrade to its endpoint, lets the UpgradeGate
 * decide who gets in, then accepts (a registered connection whose frames go to the
 * FrameDispatcher) or refuses after the upgrade, so browsers see why.
 */
@Injectable()
export class ConnectionAdmission {
  private readonly logger: ContextLogger;
  private readonly limits: SendLimits;
  private sequence = 0;
  private readonly instanceTag = Math.random().toString(36).slice(2, 8);

  constructor(
    config: AppConfig,
    private readonly table: EndpointTable,
    private readonly gate: UpgradeGate,
    private readonly registry: ConnectionRegistry,
    @Inject(ConnectionDirectory) private readonly directory: ConnectionDirectory,
    private readonly revocations: SessionRevocations,
    private readonly dispatcher: FrameDispatcher,
    private readonly closer: ConnectionCloser,
    private readonly events: EventBus,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('Realtime');
    this.limits = { maxBufferedBytes: config.ws.maxBufferedBytes };
  }

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
    const route = this.table.match(url.pathname);
    if (route) {
      void this.admitAndUpgrade(route.binding, request, socket, head, route.params, url.searchParams);
      return;
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
    setTimeout(() => ws.terminate(), REFUSAL_HANDSHAKE_MS).unref();
  }

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
      this.limits,
    );
    socket.on('message', this.onMessage);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
    socket.on('pong', this.onActivity);
    socket.on('ping', this.onActivity);
    this.registry.add(connection);
    // Counted (presence), and its room's and user's events followed on the bus (event-routes names the channels).
    const following = Promise.all([
      this.directory.opened(connection),
      this.events.follow(channelsOfConnection(connection)),
    ]);
    // Subscribe first, then read: the connection is announced, and its hook's catch-up
    // (replay, snapshot) runs, once this instance hears the connection's events, so none
    // falls between the two. Live frames meanwhile wait behind `connection_established`
    // (a hook that holds itself takes them over; released here if it does not).
    connection.hold();
    this.dispatcher.run(
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

  /** Shared listeners: `this` is the socket, so no closure is allocated per connection. */
  private readonly onMessage = ((admission: ConnectionAdmission) =>
    function (this: SocketWithConnection, data: Buffer, isBinary: boolean) {
      const connection = this[CONNECTION];
      if (connection) admission.dispatcher.dispatch(connection, data, isBinary);
    })(this);

  private readonly onClose = ((admission: ConnectionAdmission) =>
    function (this: SocketWithConnection) {
      const connection = this[CONNECTION];
      if (connection) admission.closer.release(connection);
    })(this);

  private readonly onError = ((admission: ConnectionAdmission) =>
    function (this: SocketWithConnection, error: Error & { code?: string }) {
      // ws closes the socket itself (e.g. 1009 for an oversized frame); this only records why.
      admission.logger.debug(`socket error: ${error.code ?? error.message}`);
    })(this);

  private readonly onActivity = function (this: SocketWithConnection) {
    const connection = this[CONNECTION];
    if (connection) connection.lastActivityMs = Date.now();
  };
}
