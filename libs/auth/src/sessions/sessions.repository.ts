import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, IsNull, LessThan, Not, Repository } from 'typeorm';
import { newId, RefreshTokenEntity, SessionEndReason, SessionEntity } from '@numerai/database';

/** Storage of sessions and their refresh tokens (by hash). */
@Injectable()
export class SessionsRepository {
  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @InjectRepository(RefreshTokenEntity) private readonly tokens: Repository<RefreshTokenEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** A new session and its first refresh token, together or not at all. */
  async create(userId: string, tokenHash: string, expiresAt: Date): Promise<SessionEntity> {
    const now = new Date();
    const session = this.sessions.create({
      id: newId(),
      userId,
      createdAt: now,
      refreshedAt: now,
      revokedAt: null,
      revokedReason: null,
    });
    await this.dataSource.transaction(async (manager) => {
      await manager.insert(SessionEntity, session);
      await manager.insert(RefreshTokenEntity, {
        tokenHash,
        sessionId: session.id,
        createdAt: now,
        expiresAt,
        spentAt: null,
      });
    });
    return session;
  }

  findById(id: string): Promise<SessionEntity | null> {
    return this.sessions.findOneBy({ id });
  }

  findToken(tokenHash: string): Promise<RefreshTokenEntity | null> {
    return this.tokens.findOneBy({ tokenHash });
  }

  /**
   * Spends `spent` and stores its successor, atomically. The spend is conditional (only
   * if still unspent), so of two refreshes racing with one token exactly one wins; the
   * loser gets false, which the caller treats as reuse.
   */
  async rotate(spent: RefreshTokenEntity, nextHash: string, expiresAt: Date): Promise<boolean> {
    const now = new Date();
    return this.dataSource.transaction(async (manager) => {
      const result = await manager.update(
        RefreshTokenEntity,
        { tokenHash: spent.tokenHash, spentAt: IsNull() },
        { spentAt: now },
      );
      if (result.affected !== 1) return false;
      await manager.insert(RefreshTokenEntity, {
        tokenHash: nextHash,
        sessionId: spent.sessionId,
        createdAt: now,
        expiresAt,
        spentAt: null,
      });
      await manager.update(SessionEntity, { id: spent.sessionId }, { refreshedAt: now });
      // Spent tokens are kept to recognise a replay; once expired a replay is refused anyway, so they go.
      await manager.delete(RefreshTokenEntity, { sessionId: spent.sessionId, expiresAt: LessThan(now) });
      return true;
    });
  }

  /** Revokes those of `ids` still live; returns the ones this call revoked. */
  async revoke(ids: string[], reason: SessionEndReason): Promise<string[]> {
    if (ids.length === 0) return [];
    const live = await this.sessions.find({ select: { id: true }, where: { id: In(ids), revokedAt: IsNull() } });
    return this.revokeLive(
      live.map((session) => session.id),
      reason,
    );
  }

  /** Revokes every live session of a user (but `exceptId`); returns their ids. */
  async revokeAllOf(userId: string, reason: SessionEndReason, exceptId?: string): Promise<string[]> {
    const live = await this.sessions.find({
      select: { id: true },
      where: { userId, revokedAt: IsNull(), ...(exceptId ? { id: Not(exceptId) } : {}) },
    });
    return this.revokeLive(
      live.map((session) => session.id),
      reason,
    );
  }

  /** Every session of a user, newest first (the account export). */
  listOf(userId: string): Promise<SessionEntity[]> {
    return this.sessions.find({ where: { userId }, order: { createdAt: 'DESC' } });
  }

  private async revokeLive(ids: string[], reason: SessionEndReason): Promise<string[]> {
    const revokedAt = new Date();
    // In chunks: a user who logged in very often must not exceed a driver's bound-parameter limit.
    for (const chunk of chunks(ids, REVOKE_CHUNK)) {
      await this.sessions.update({ id: In(chunk), revokedAt: IsNull() }, { revokedAt, revokedReason: reason });
    }
    return ids;
  }
}

const REVOKE_CHUNK = 500;

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
