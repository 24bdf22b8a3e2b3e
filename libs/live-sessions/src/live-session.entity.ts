import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ConsultationEntity } from '@numerai/consultations';
import type { LiveSessionEndReason, LiveSessionStatus } from '@numerai/protocol';
import { UserEntity } from '@numerai/users';

/** Statuses in which a session is still going on (at most one per consultation). */
export const OPEN_LIVE_SESSION_SQL = `status IN ('requested', 'active', 'paused')`;
/** Statuses in which the numerologist is taken (at most one such session per numerologist). */
export const RUNNING_LIVE_SESSION_SQL = `status IN ('active', 'paused')`;

/**
 * A live per-minute session of a consultation (libs/live-sessions, migration 1733830000000).
 * The row is the clock: every change is a conditional update on `version`, and a minute's money
 * moves in the same transaction as the row's minute counter (LiveSessionClock), so any
 * instance can advance it and none can do so twice.
 */
@Entity('live_sessions')
@Index('uq_live_sessions_open_consultation', ['consultationId'], { unique: true, where: OPEN_LIVE_SESSION_SQL })
@Index('uq_live_sessions_running_numerologist', ['numerologistId'], { unique: true, where: RUNNING_LIVE_SESSION_SQL })
@Index('idx_live_sessions_status', ['status', 'id'])
@Index('idx_live_sessions_client', ['clientId'])
@Index('idx_live_sessions_consultation', ['consultationId', 'requestedAt'])
@Check('ck_live_sessions_status', "status IN ('requested', 'active', 'paused', 'ended', 'lapsed')")
export class LiveSessionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'consultation_id', type: 'uuid' })
  consultationId!: string;

  @Column({ name: 'client_id', type: 'uuid' })
  clientId!: string;

  @Column({ name: 'numerologist_id', type: 'uuid' })
  numerologistId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: LiveSessionStatus;

  /** Bumped by every change: the compare-and-set every writer conditions on. */
  @Column({ type: 'integer', default: 0 })
  version!: number;

  /** Per started minute, minor units; fixed when requested. */
  @Column({ name: 'rate_minor', type: 'integer' })
  rateMinor!: number;

  /** The numerologist's share of a minute (the rate less the platform's commission); may be 0. */
  @Column({ name: 'earning_minor', type: 'integer' })
  earningMinor!: number;

  /** Minutes numbered up to this are free (a client's first session). */
  @Column({ name: 'free_minutes', type: 'integer', default: 0 })
  freeMinutes!: number;

  /** How many minutes started: the current minute's number (1, 2, …), 0 before the start. */
  @Column({ name: 'minute_number', type: 'integer', default: 0 })
  minuteNumber!: number;

  @Column({ name: 'minutes_charged', type: 'integer', default: 0 })
  minutesCharged!: number;

  @Column({ name: 'amount_charged', type: 'integer', default: 0 })
  amountCharged!: number;

  @Column({ name: 'requested_at' })
  requestedAt!: Date;

  /** When a request lapses unless accepted. */
  @Column({ name: 'expires_at' })
  expiresAt!: Date;

  @Column({ name: 'started_at', type: Date, nullable: true })
  startedAt!: Date | null;

  /** When the current minute's paid time runs out (active only): the next minute starts then. */
  @Column({ name: 'paid_until', type: Date, nullable: true })
  paidUntil!: Date | null;

  /** Since when the numerologist has held no socket (null: they hold one). */
  @Column({ name: 'away_since', type: Date, nullable: true })
  awaySince!: Date | null;

  @Column({ name: 'paused_at', type: Date, nullable: true })
  pausedAt!: Date | null;

  /** 1 once `low_balance` was sent; back to 0 when a top-up lifts the balance above the warning. */
  @Column({ name: 'low_balance_warned', type: 'integer', default: 0 })
  lowBalanceWarned!: number;

  @Column({ name: 'ended_at', type: Date, nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'end_reason', type: 'varchar', length: 32, nullable: true })
  endReason!: LiveSessionEndReason | null;

  // Foreign keys only (never loaded): the sessions go with their consultation or either user.
  @ManyToOne(() => ConsultationEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'consultation_id', foreignKeyConstraintName: 'fk_live_sessions_consultation' })
  consultation?: ConsultationEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'client_id', foreignKeyConstraintName: 'fk_live_sessions_client' })
  client?: UserEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'numerologist_id', foreignKeyConstraintName: 'fk_live_sessions_numerologist' })
  numerologist?: UserEntity;
}
