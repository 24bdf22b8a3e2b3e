import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import { Authenticator, extractToken, InvalidTokenError } from '@numerai/auth';
import type { Principal } from '@numerai/common';
import { AppConfig } from '@numerai/config';
import { ContextLogger, LoggerFactory, redactUrl } from '@numerai/logging';
import { CloseCode } from '@numerai/protocol';
import { ConnectionDirectory } from './connection-directory';
import { Admission, EndpointHooks, isRefusal, Refusal } from './endpoint';
import { UpgradeLimiter } from './upgrade-limiter';

/** Let in: who, into which room, and the slot to give back once the connection is registered. */
export interface Admitted {
  principal: Principal;
  admission: Admission;
  /** Frees the cap reservation; call once the registry counts the connection (or it failed). */
  release(): void;
}

/**
 * Decides whether an upgrade may become a connection: a cheap screen first (per-IP
 * flood limit, browser Origin), then the token, the per-user connection cap and the
 * endpoint's own rules (e.g. chat: a participant of that consultation).
 */
@Injectable()
export class UpgradeGate {
  private readonly logger: ContextLogger;
  private readonly limiter: UpgradeLimiter;
  private readonly trustProxy: (address: string, hop: number) => boolean;
  /** Upgrades of each user still being admitted: they count against the cap, or a burst would all pass it. */
  private readonly admitting = new Map<string, number>();
  private open = true;

  constructor(
    private readonly config: AppConfig,
    private readonly authenticator: Authenticator,
    @Inject(ConnectionDirectory) private readonly directory: ConnectionDirectory,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('UpgradeGate');
    this.limiter = new UpgradeLimiter(config.ws.upgradesPerMinutePerIp);
    const trust = config.trustProxy;
    this.trustProxy = typeof trust === 'number' ? (_address, hop) => hop < trust : proxyAddr.compile(trust);
  }

  /** Checks that cost no token verification. `flood` means: answer plain HTTP 429, no WebSocket at all. */
  screen(request: IncomingMessage): 'flood' | Refusal | undefined {
    if (!this.limiter.allow(this.clientIp(request))) return 'flood';
    if (!this.originAllowed(request.headers.origin, request.headers.host)) {
      return { closeCode: CloseCode.Forbidden, code: 'forbidden', message: 'Origin not allowed' };
    }
    return undefined;
  }

  async admit(
    hooks: EndpointHooks,
    request: IncomingMessage,
    params: Record<string, string>,
    query: URLSearchParams,
  ): Promise<Admitted | Refusal> {
    if (!this.open) return { closeCode: CloseCode.GoingAway, code: 'internal', message: 'Server is shutting down' };
    let reserved: string | undefined;
    try {
      const principal = await this.authenticator.authenticate(extractToken(request.headers.authorization, request.url));
      const max = this.config.ws.maxConnectionsPerUser;
      if ((await this.directory.connectionCount(principal.id)) + (this.admitting.get(principal.id) ?? 0) >= max) {
        return {
          closeCode: CloseCode.TooManyRequests,
          code: 'too_many_connections',
          message: `At most ${max} open connections per user`,
        };
      }
      reserved = this.reserve(principal.id);
      const admission = await hooks.admit({ principal, params, query, request });
      if (isRefusal(admission)) return admission;
      const slot = reserved;
      reserved = undefined;
      return { principal, admission, release: () => this.unreserve(slot) };
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        return {
          closeCode: CloseCode.Unauthorized,
          code: 'unauthorized',
          message: 'Missing, invalid or expired token',
        };
      }
      this.logger.error({ err: error, url: redactUrl(request.url) }, 'admission failed');
      return { closeCode: CloseCode.InternalError, code: 'internal', message: 'Internal server error' };
    } finally {
      if (reserved) this.unreserve(reserved);
    }
  }

  /** From now on every upgrade is refused with 1001 (shutdown). */
  close(): void {
    this.open = false;
  }

  /** The client's address, believing X-Forwarded-For only from the proxies TRUST_PROXY names (as REST does). */
  private clientIp(request: IncomingMessage): string {
    try {
      return proxyAddr(request, this.trustProxy);
    } catch {
      return request.socket.remoteAddress ?? 'unknown';
    }
  }

  /**
   * Browsers send Origin and let any page open a socket to us with the user's token in
   * hand: only our own pages (same host, e.g. /demo) and those CORS_ORIGINS lists may (`*`:
   * any). Clients without Origin (apps, servers) are not browsers and are not limited by it.
   */
  private originAllowed(origin: string | undefined, host: string | undefined): boolean {
    const allowed = this.config.corsOrigins;
    if (!origin || allowed.includes('*') || allowed.includes(origin)) return true;
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }

  private reserve(userId: string): string {
    this.admitting.set(userId, (this.admitting.get(userId) ?? 0) + 1);
    return userId;
  }

  private unreserve(userId: string): void {
    const left = (this.admitting.get(userId) ?? 1) - 1;
    if (left > 0) this.admitting.set(userId, left);
    else this.admitting.delete(userId);
  }
}
