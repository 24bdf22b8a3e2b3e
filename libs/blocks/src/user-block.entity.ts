import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '@numerai/users';

/**
 * A numerologist's block of a client (libs/blocks): the client cannot book them, and the two
 * are never each other's contacts. One row per pair; its UUIDv7 id pages the blocker's list.
 */
@Entity('user_blocks')
@Index('uq_user_blocks_pair', ['blockerId', 'blockedId'], { unique: true })
@Index('idx_user_blocks_blocked', ['blockedId'])
export class UserBlockEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'blocker_id', type: 'uuid' })
  blockerId!: string;

  @Column({ name: 'blocked_id', type: 'uuid' })
  blockedId!: string;

  @Column({ name: 'created_at' })
  createdAt!: Date;

  // Foreign keys only (never loaded): a block goes with either of its users.
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'blocker_id', foreignKeyConstraintName: 'fk_user_blocks_blocker' })
  blocker?: UserEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'blocked_id', foreignKeyConstraintName: 'fk_user_blocks_blocked' })
  blocked?: UserEntity;
}
