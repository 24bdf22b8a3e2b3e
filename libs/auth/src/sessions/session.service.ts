import { Injectable } from '@nestjs/common';
import { AppConfig } from '@numerai/config';
import type { RefreshTokenEntity, SessionEndReason, SessionEntity } from '@numerai/database';
import { EventBus } from '@numerai/events';
import { hashRefreshToken, newRefreshToken } from './refresh-token';
import { chunks, SessionsRepository } from './sessions.repository';

export class InvalidRefreshTokenError extends Error {
  constructor(reason: 'unknown' | 'expired' | 'revoked' | 'reused') {
    super(reason);
    this.name = 'InvalidRefreshTokenError';
  }
}

/** Most session ids one `session.revoked` event carries, so one event stays a small message. */
const IDS_PER_EVENT = 200;

/**
 * Sessions: started at login, rotated on refresh, ended by logout, password change,
 * refresh-token reuse, blocking or erasure. Every end is committed first and then
 * published, so each instance closes the sockets of the ended sessions.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly bus: EventBus,
    private readonly config: AppConfig,
  ) {}

  /** A new session for a user; returns it and its first refresh token (the only time the raw token exists). */
  async start(userId: string): Promise<{ session: SessionEntity; refreshToken: string }> {
    const refreshToken = newRefreshToken();
    const session = await this.sessions.create(userId, hashRefreshToken(refreshToken), this.refreshExpiry());
    return { session, refreshToken };
  }

  /** What a refresh token stands for, before any check (the caller looks at the user first). */
  async lookup(refreshToken: string): Promise<{ token: RefreshTokenEntity; session: SessionEntity } | undefined> {
    const token = await this.sessions.findToken(hashRefreshToken(refreshToken));
    const session = token && (await this.sessions.findById(token.sessionId));
    return token && session ? { token, session } : undefined;
  }

  /**
   * Spends the token and returns its successor. A spent token presented again means two
   * parties hold it (one of them a thief): the whole session ends, for both.
   */
  async rotate(found: { token: RefreshTokenEntity; session: SessionEntity }): Promise<string> {
    const { token, session } = found;
    if (session.revokedAt) throw new InvalidRefreshTokenError('revoked');
    if (token.spentAt) return this.reused(session);
    if (token.expiresAt.getTime() <= Date.now()) throw new InvalidRefreshTokenError('expired');
    const next = newRefreshToken();
    if (!(await this.sessions.rotate(token, hashRefreshToken(next), this.refreshExpiry()))) return this.reused(session);
    return next;
  }

  /** Ends one session of `userId` (ignored if it is not theirs). */
  async end(userId: string, sessionId: string, reason: SessionEndReason): Promise<void> {
    const session = await this.sessions.findById(sessionId);
    if (!session || session.userId !== userId) return;
    this.announce(userId, await this.sessions.revoke([sessionId], reason));
  }

  /** Ends every session of a user, or every other one when `keepSessionId` is given. */
  async endAll(userId: string, reason: SessionEndReason, keepSessionId?: string): Promise<void> {
    this.announce(userId, await this.sessions.revokeAllOf(userId, reason, keepSessionId));
  }

  findById(sessionId: string): Promise<SessionEntity | null> {
    return this.sessions.findById(sessionId);
  }

  listOf(userId: string): Promise<SessionEntity[]> {
    return this.sessions.listOf(userId);
  }

  private async reused(session: SessionEntity): Promise<never> {
    this.announce(session.userId, await this.sessions.revoke([session.id], 'refresh_reuse'));
    throw new InvalidRefreshTokenError('reused');
  }

  /** Closes the sockets of sessions already committed as revoked (by the caller's own transaction, e.g. erasure). */
  announce(userId: string, sessionIds: string[]): void {
    for (const chunk of chunks(sessionIds, IDS_PER_EVENT)) {
      this.bus.publish('session.revoked', { user_id: userId, session_ids: chunk });
    }
  }

  private refreshExpiry(): Date {
    return new Date(Date.now() + this.config.jwt.refreshExpiresInSeconds * 1000);
  }
}
