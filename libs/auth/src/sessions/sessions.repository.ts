import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, IsNull, LessThan, Not, Repository } from 'typeorm';
import { newId } from '@numerai/database';
import { RefreshTokenEntity, SessionEndReason, SessionEntity } from './session.entity';

/** What a login checked: the session may start only while these are still the user's. */
export interface CheckedCredentials {
  userId: string;
  passwordHash: string;
}

/** Storage of sessions and their refresh tokens (by hash). */
@Injectable()
export class SessionsRepository {
  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @InjectRepository(RefreshTokenEntity) private readonly tokens: Repository<RefreshTokenEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * A new session and its first refresh token, together or not at all — and only while the
   * user still has the password hash the login checked and is neither blocked nor erased
   * (null otherwise). The check and the insert are one statement: a login whose argon2
   * verify overlapped a password change or a block cannot start a session the change's
   * "end every session" ran too early to see. On PostgreSQL the user row is share-locked,
   * so a concurrent change either commits first (and the row no longer matches) or waits
   * until this session is committed (and then ends it); SQLite runs one writer at a time.
   */
  async create(checked: CheckedCredentials, tokenHash: string, expiresAt: Date): Promise<SessionEntity | null> {
    const now = new Date();
    const id = newId();
    const postgres = this.dataSource.options.type === 'postgres';
    // PostgreSQL types the parameters of a SELECT list as text unless told.
    const param = (name: string, type: string) => (postgres ? `CAST(:${name} AS ${type})` : `:${name}`);
    const created = await this.dataSource.transaction(async (manager) => {
      const [sql, parameters] = this.dataSource.driver.escapeQueryWithParameters(
        `INSERT INTO sessions (id, user_id, created_at, refreshed_at)
         SELECT ${param('id', 'uuid')}, id, ${param('now', 'timestamp')}, ${param('now', 'timestamp')} FROM users
         WHERE id = :userId AND password_hash = :passwordHash AND blocked_at IS NULL AND deleted_at IS NULL
         ${postgres ? 'FOR SHARE' : ''}
         RETURNING id`,
        { id, now, userId: checked.userId, passwordHash: checked.passwordHash },
      );
      const inserted = (await manager.query(sql, parameters)) as unknown[];
      if (inserted.length !== 1) return false;
      await manager.insert(RefreshTokenEntity, { tokenHash, sessionId: id, createdAt: now, expiresAt, spentAt: null });
      return true;
    });
    if (!created) return null;
    return this.sessions.create({
      id,
      userId: checked.userId,
      createdAt: now,
      refreshedAt: now,
      revokedAt: null,
      revokedReason: null,
    });
  }

  findById(id: string): Promise<SessionEntity | null> {
    return this.sessions.findOneBy({ id });
  }

  findToken(tokenHash: string): Promise<RefreshTokenEntity | null> {
    return this.tokens.findOneBy({ tokenHash });
  }

  /**
   * Spends `spent` and stores its successor, atomically: `spent` when the token was spent
   * already (of two refreshes racing with one token exactly one spends it), `ended` when
   * its session has been revoked meanwhile (nothing is written then). The session row is
   * touched first, so on PostgreSQL rotations of one session and its revocation take turns.
   * The spend is stamped with the database's clock, the one `spentWithin` reads.
   */
  async rotate(spent: RefreshTokenEntity, nextHash: string, expiresAt: Date): Promise<'rotated' | 'spent' | 'ended'> {
    const now = new Date();
    return this.dataSource.transaction(async (manager) => {
      const live = await manager.update(
        SessionEntity,
        { id: spent.sessionId, revokedAt: IsNull() },
        { refreshedAt: now },
      );
      if (live.affected !== 1) return 'ended';
      const result = await manager
        .createQueryBuilder()
        .update(RefreshTokenEntity)
        .set({ spentAt: () => this.databaseNow() })
        .where({ tokenHash: spent.tokenHash, spentAt: IsNull() })
        .execute();
      if (result.affected !== 1) return 'spent';
      await manager.insert(RefreshTokenEntity, {
        tokenHash: nextHash,
        sessionId: spent.sessionId,
        createdAt: now,
        expiresAt,
        spentAt: null,
      });
      // Spent tokens are kept to recognise a replay; once expired a replay is refused anyway, so they go.
      await manager.delete(RefreshTokenEntity, { sessionId: spent.sessionId, expiresAt: LessThan(now) });
      return 'rotated';
    });
  }

  /**
   * Whether the token was spent less than `graceMs` ago, by the database's clock (which also
   * stamped the spend), so instances whose clocks disagree still agree on the grace.
   */
  async spentWithin(tokenHash: string, graceMs: number): Promise<boolean> {
    const postgres = this.dataSource.options.type === 'postgres';
    const since = postgres
      ? 'LOCALTIMESTAMP - make_interval(secs => :graceSeconds)'
      : "strftime('%Y-%m-%d %H:%M:%f', 'now', :graceModifier)";
    const count = await this.tokens
      .createQueryBuilder('token')
      .where('token.token_hash = :tokenHash', { tokenHash })
      .andWhere(`token.spent_at > ${since}`, {
        graceSeconds: graceMs / 1000,
        graceModifier: `-${(graceMs / 1000).toFixed(3)} seconds`,
      })
      .getCount();
    return count === 1;
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

  private databaseNow(): string {
    return this.dataSource.options.type === 'postgres' ? 'LOCALTIMESTAMP' : SQLITE_NOW;
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

/** The database's time, written the way TypeORM stores dates on each engine (UTC text with ms on SQLite). */
const SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
