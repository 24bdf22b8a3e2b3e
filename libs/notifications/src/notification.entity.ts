import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '@numerai/users';

@Entity('notifications')
@Index('idx_notifications_user_read_created', ['userId', 'isRead', 'createdAt'])
@Index('uq_notifications_user_seq', ['userId', 'seq'], { unique: true })
@Index('idx_notifications_user_collapse', ['userId', 'collapseKey'])
export class NotificationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** Position among the user's notifications (users.last_notification_seq), fixed where the row is stored. */
  @Column({ type: 'integer' })
  seq!: number;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text' })
  message!: string;

  @Column({ name: 'notification_type', type: 'varchar', length: 64 })
  notificationType!: string;

  @Column({ type: 'simple-json', nullable: true })
  data!: Record<string, unknown> | null;

  @Column({ name: 'is_read', type: 'boolean' })
  isRead!: boolean;

  @Column({ name: 'read_at', nullable: true, type: Date })
  readAt!: Date | null;

  @Column({ name: 'created_at' })
  createdAt!: Date;

  /** Set on notifications that may repeat: a repeat with the same key replaces the unread one (see NotificationsService.notify). */
  @Column({ name: 'collapse_key', type: 'varchar', length: 160, nullable: true })
  collapseKey!: string | null;

  // Foreign key only (never loaded): a user's notifications are theirs alone and go with them.
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_notifications_user' })
  user?: UserEntity;
}
