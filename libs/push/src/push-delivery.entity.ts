import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { NotificationEntity } from '@numerai/notifications';
import { PushSubscriptionEntity } from './push-subscription.entity';
import { UserEntity } from '@numerai/users';

export type PushDeliveryState = 'pending' | 'sending';

/**
 * The push outbox: one row per (notification, subscription) still to be pushed. Due after the
 * grace (then after each retry's delay); a run claims it by moving it from `pending` to
 * `sending` with a conditional update (one winner across instances), and deletes it once the
 * push service took it, or when it is given up.
 */
@Entity('push_deliveries')
@Index('uq_push_deliveries_notification_subscription', ['notificationId', 'subscriptionId'], { unique: true })
@Index('idx_push_deliveries_due', ['state', 'dueAt'])
export class PushDeliveryEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'notification_id', type: 'uuid' })
  notificationId!: string;

  @Column({ name: 'subscription_id', type: 'uuid' })
  subscriptionId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** Set for chat messages: an open chat to this consultation also means "seen, do not push". */
  @Column({ name: 'consultation_id', type: 'uuid', nullable: true })
  consultationId!: string | null;

  /** The JSON the service worker receives: {title, body, url, notification_id}. */
  @Column({ type: 'text' })
  payload!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: PushDeliveryState;

  @Column({ name: 'due_at' })
  dueAt!: Date;

  /** When the current `sending` claim was taken (a claim far older is from an instance that died). */
  @Column({ name: 'claimed_at', type: Date, nullable: true })
  claimedAt!: Date | null;

  @Column({ type: 'integer' })
  attempts!: number;

  // Foreign keys only (never loaded): a queued push goes with its subscription, notification and user.
  @ManyToOne(() => PushSubscriptionEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'subscription_id', foreignKeyConstraintName: 'fk_push_deliveries_subscription' })
  subscription?: PushSubscriptionEntity;

  @ManyToOne(() => NotificationEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'notification_id', foreignKeyConstraintName: 'fk_push_deliveries_notification' })
  notification?: NotificationEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_push_deliveries_user' })
  user?: UserEntity;
}
