import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Why a session ended; kept for the account export and for operators reading the table. */
export const SESSION_END_REASONS = [
  'logout',
  'logout_all',
  'password_changed',
  'refresh_reuse',
  'account_deleted',
  'blocked',
  'admin',
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/**
 * One login: every access token carries its id as `sid`, and it is the family of the
 * rotating refresh tokens issued to it. Revoking it ends all of them at once.
 */
@Entity('sessions')
@Index('idx_sessions_user', ['userId'])
export class SessionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'created_at' })
  createdAt!: Date;

  /** Last refresh (rotation) of this session. */
  @Column({ name: 'refreshed_at' })
  refreshedAt!: Date;

  @Column({ name: 'revoked_at', type: Date, nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason!: SessionEndReason | null;
}

/**
 * A refresh token, by the SHA-256 of its 256 random bits (the token itself is never
 * stored). Spent ones stay, so presenting one again is recognised as reuse.
 */
@Entity('refresh_tokens')
@Index('idx_refresh_tokens_session', ['sessionId'])
export class RefreshTokenEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'created_at' })
  createdAt!: Date;

  @Column({ name: 'expires_at' })
  expiresAt!: Date;

  @Column({ name: 'spent_at', type: Date, nullable: true })
  spentAt!: Date | null;
}
