import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@numerai/config';
import { channelsOfConnection, EventBus } from '@numerai/events';
import { realtimeMetrics } from '@numerai/metrics';
import { CloseCode } from '@numerai/protocol';
import type { ClientConnection } from './client-connection';
import { ConnectionDirectory } from './connection-directory';
import { ConnectionRegistry } from './connection-registry';
import { EndpointTable } from './endpoint-table';
import { KeepAlive } from './keep-alive';
import { SessionRevocations } from './session-revocations';
import { errorFrame } from './ws-error';

/** How long a closed socket may take to finish the close handshake before it is cut. */
const CLOSE_HANDSHAKE_MS = 5000;

/**
 * How connections end: forgotten by the registry, the directory and their gateway at
 * once, closed with a reason. Also decides when the server ends one on its own: the
 * keep-alive sweep (idle, token expired) and revoked sessions.
 */
@Injectable()
export class ConnectionCloser implements OnModuleDestroy {
  private readonly keepAlive: KeepAlive;

  constructor(
    config: AppConfig,
    private readonly registry: ConnectionRegistry,
    @Inject(ConnectionDirectory) private readonly directory: ConnectionDirectory,
    private readonly table: EndpointTable,
    private readonly events: EventBus,
    revocations: SessionRevocations,
  ) {
    revocations.onEnded((connection) =>
      this.close(connection, CloseCode.Unauthorized, 'unauthorized', 'The session has ended'),
    );
    this.keepAlive = new KeepAlive(registry, config.ws, (connection, verdict) =>
      verdict === 'expired'
        ? this.close(connection, CloseCode.Unauthorized, 'unauthorized', 'Token expired')
        : this.close(connection, CloseCode.IdleTimeout, undefined, 'Idle timeout'),
    );
  }

  /** Starts the keep-alive sweep (idempotent): once a gateway is bound there is something to watch. */
  watch(): void {
    this.keepAlive.start();
  }

  /** Stops the sweep: at shutdown every connection is closed anyway. */
  stopWatching(): void {
    this.keepAlive.stop();
  }

  /** Forgets the connection everywhere, once (the close listener and an explicit close may both call it). */
  release(connection: ClientConnection): void {
    if (!this.registry.remove(connection)) return;
    this.events.unfollow(channelsOfConnection(connection));
    this.directory.closed(connection);
    this.table.of(connection).hooks.closed?.(connection);
  }

  /** Optionally one `error` frame, then the close; the registry forgets the connection at once. */
  close(
    connection: ClientConnection,
    code: number,
    errorCode: 'unauthorized' | 'rate_limited' | undefined,
    reason: string,
    retryAfterMs?: number,
  ): void {
    if (errorCode) {
      realtimeMetrics.error(errorCode);
      connection.send(errorFrame(errorCode, reason, undefined, { retry_after_ms: retryAfterMs }));
    }
    if (connection.isOpen) connection.socket.close(code, reason);
    this.release(connection);
    setTimeout(() => connection.socket.terminate(), CLOSE_HANDSHAKE_MS).unref();
  }

  onModuleDestroy(): void {
    this.keepAlive.stop();
  }
}
