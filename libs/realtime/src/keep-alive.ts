import type { AppConfig } from '@numerai/config';
import type { ClientConnection } from './client-connection';
import type { ConnectionRegistry } from './connection-registry';

export type KeepAliveVerdict = 'expired' | 'idle';

/**
 * Protocol pings, idle close and token expiry in one pass over all connections per
 * tick, rather than a timer per connection (10,000 timers are memory we do not spend).
 */
export class KeepAlive {
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly ws: AppConfig['ws'],
    private readonly end: (connection: ClientConnection, verdict: KeepAliveVerdict) => void,
  ) {}

  start(): void {
    if (this.ticker) return;
    const { pingIntervalMs, idleTimeoutMs } = this.ws;
    // Fine enough that a 2 s token or a short test idle timeout is honoured to within a second.
    const every = Math.max(50, Math.min(1000, pingIntervalMs, Math.floor(idleTimeoutMs / 4)));
    this.ticker = setInterval(() => this.tick(), every);
    this.ticker.unref();
  }

  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  tick(now = Date.now()): void {
    const { pingIntervalMs, idleTimeoutMs } = this.ws;
    for (const connection of this.registry.all()) {
      if (connection.expiresAt * 1000 <= now) {
        this.end(connection, 'expired');
      } else if (now - connection.lastActivityMs >= idleTimeoutMs) {
        this.end(connection, 'idle');
      } else if (now - connection.lastPingMs >= pingIntervalMs && connection.isOpen) {
        connection.lastPingMs = now;
        connection.socket.ping();
      }
    }
  }
}
