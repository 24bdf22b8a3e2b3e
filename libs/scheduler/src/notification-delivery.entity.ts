import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The exactly-once ledger of scheduled notifications: one row per dedupe key (e.g.
 * `daily_reading:<user>:<local date>`). Whoever inserts the row sends; everyone else skips.
 */
@Entity('notification_deliveries')
export class NotificationDeliveryEntity {
  @PrimaryColumn({ name: 'dedupe_key', type: 'varchar', length: 200 })
  dedupeKey!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** Chosen at claim time, before the notification is stored under it; null if preferences suppressed it. */
  @Column({ name: 'notification_id', type: 'uuid', nullable: true })
  notificationId!: string | null;

  @Column({ name: 'claimed_at' })
  claimedAt!: Date;

  @Column({ name: 'completed_at', nullable: true, type: Date })
  completedAt!: Date | null;
}
