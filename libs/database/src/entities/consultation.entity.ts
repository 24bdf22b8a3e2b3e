import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const CONSULTATION_STATUSES = ['scheduled', 'active', 'completed', 'cancelled'] as const;
export type ConsultationStatus = (typeof CONSULTATION_STATUSES)[number];

@Entity('consultations')
@Index('idx_consultations_user', ['userId'])
@Index('idx_consultations_numerologist', ['numerologistId'])
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
}
