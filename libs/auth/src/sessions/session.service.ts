import { Injectable } from '@nestjs/common';
import { AppConfig } from '@numerai/config';
import type { RefreshTokenEntity, SessionEndReason, SessionEntity } from './session.entity';
import { EventBus } from '@numerai/events';
import { hashRefreshToken, newRefreshToken, successorKey, successorOf } from './refresh-token';
import { CheckedCredentials, chunks, SessionsRepository } from './sessions.repository';

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
  private readonly successorKey: Buffer;

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly bus: EventBus,
    private readonly config: AppConfig,
  ) {
    this.successorKey = successorKey(config.jwt.secret);
  }

  /**
   * A new session, if `checked` still holds (see SessionsRepository.create): returns it and
   * its first refresh token (the only time the raw token exists), or null when the password
   * changed or the user was blocked or erased since the login checked them.
   */
  async start(checked: CheckedCredentials): Promise<{ session: SessionEntity; refreshToken: string } | null> {
    const refreshToken = newRefreshToken();
    const session = await this.sessions.create(checked, hashRefreshToken(refreshToken), this.refreshExpiry());
    return session && { session, refreshToken };
  }

  /** What a refresh token stands for, before any check (the caller looks at the user first). */
  async lookup(refreshToken: string): Promise<{ token: RefreshTokenEntity; session: SessionEntity } | undefined> {
    const token = await this.sessions.findToken(hashRefreshToken(refreshToken));
    const session = token && (await this.sessions.findById(token.sessionId));
    return token && session ? { token, session } : undefined;
  }

  /**
   * Spends `presented` and returns its successor. A spent token presented again means two
   * parties hold it (one of them a thief): the whole session ends, for both — unless it was
   * spent less than REFRESH_TOKEN_REUSE_GRACE_MS ago, when it is the same client refreshing
   * twice at once (or retrying a lost answer) and gets the same successor again.
   */
  async rotate(found: { token: RefreshTokenEntity; session: SessionEntity }, presented: string): Promise<string> {
    const { token, session } = found;
    if (session.revokedAt) throw new InvalidRefreshTokenError('revoked');
    const next = successorOf(presented, this.successorKey);
    if (!token.spentAt) {
      if (token.expiresAt.getTime() <= Date.now()) throw new InvalidRefreshTokenError('expired');
      const outcome = await this.sessions.rotate(token, hashRefreshToken(next), this.refreshExpiry());
      if (outcome === 'rotated') return next;
      if (outcome === 'ended') throw new InvalidRefreshTokenError('revoked');
    }
    const graceMs = this.config.jwt.refreshReuseGraceMs;
    if (graceMs > 0 && (await this.sessions.spentWithin(token.tokenHash, graceMs))) return next;
    return this.reused(session);
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
