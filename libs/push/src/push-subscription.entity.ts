import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '@numerai/users';

/**
 * One browser's Web Push subscription (RFC 8030): where to POST, and the keys the payload
 * is encrypted to (RFC 8291). A user may have several (devices); an endpoint belongs to one user.
 */
@Entity('push_subscriptions')
@Index('idx_push_subscriptions_user', ['userId'])
export class PushSubscriptionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Index('uq_push_subscriptions_endpoint', { unique: true })
  @Column({ type: 'varchar', length: 1024 })
  endpoint!: string;

  /** The browser's P-256 public key, base64url (65 bytes). */
  @Column({ type: 'varchar', length: 100 })
  p256dh!: string;

  /** The browser's authentication secret, base64url (16 bytes). A secret: never logged nor exported. */
  @Column({ type: 'varchar', length: 32 })
  auth!: string;

  /** When the push service says the subscription lapses (ms since the epoch), if it says. */
  @Column({ name: 'expiration_time', type: 'bigint', nullable: true })
  expirationTime!: string | null;

  @Column({ name: 'created_at' })
  createdAt!: Date;

  // Foreign key only (never loaded): a subscription goes with its user.
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_push_subscriptions_user' })
  user?: UserEntity;
}
