import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { ConsultationStatus } from '@numerai/common';
import { UserEntity } from '@numerai/users';

/** The statuses in which a consultation is open: chat works and its participants are each other's contacts. */
export const OPEN_CONSULTATION_STATUSES = ['scheduled', 'active'] as const satisfies readonly ConsultationStatus[];

/** SQL for "open", the same text in the partial index and the queries that must use it. */
export const OPEN_CONSULTATION_SQL = `status IN ('scheduled', 'active')`;

@Entity('consultations')
@Index('idx_consultations_user', ['userId'])
@Index('idx_consultations_numerologist', ['numerologistId'])
// One open consultation per client–numerologist pair, guaranteed by the database even under racing POSTs.
@Index('uq_consultations_open_pair', ['userId', 'numerologistId'], { unique: true, where: OPEN_CONSULTATION_SQL })
export class ConsultationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'numerologist_id', type: 'uuid' })
  numerologistId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: ConsultationStatus;

  @Column({ name: 'scheduled_at', nullable: true, type: Date })
  scheduledAt!: Date | null;

  @Column({ name: 'created_at' })
  createdAt!: Date;

  /** The `seq` of the consultation's newest message; its row lock orders the writers of one consultation. */
  @Column({ name: 'last_seq', type: 'integer', default: 0 })
  lastSeq!: number;

  // Foreign keys only (never loaded). Users are anonymised, not deleted, so RESTRICT never
  // stops a deletion the product makes; it stops one that would orphan the other side's history.
  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_consultations_user' })
  user?: UserEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'numerologist_id', foreignKeyConstraintName: 'fk_consultations_numerologist' })
  numerologist?: UserEntity;
}
