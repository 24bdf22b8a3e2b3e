import { Check, Column, Entity, Index, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import type { AvailabilityStatus } from '@numerai/protocol';
import { UserEntity } from '@numerai/users';

/** The contract's statuses (libs/protocol). */
export type { AvailabilityStatus };

/**
 * A numerologist's public opt-in (libs/availability): only `available` ones are listed to
 * strangers. One row per numerologist, made on their first change.
 */
@Entity('numerologist_availability')
@Index('idx_availability_status', ['status', 'userId'])
@Check('ck_availability_status', "status IN ('available', 'busy', 'offline')")
@Check('ck_availability_rate', 'rate_minor IS NULL OR rate_minor > 0')
export class NumerologistAvailabilityEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'varchar', length: 16, default: 'offline' })
  status!: AvailabilityStatus;

  /** Integer minor units of WALLET_CURRENCY per minute; null until set. */
  @Column({ name: 'rate_minor', type: 'integer', nullable: true })
  rateMinor!: number | null;

  @Column({ name: 'updated_at' })
  updatedAt!: Date;

  // Foreign key only (never loaded): the row goes with its user.
  @OneToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_availability_user' })
  user?: UserEntity;
}
