import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { UserRole } from '@numerai/common';

@Entity('users')
export class UserEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 320, unique: true })
  email!: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ name: 'full_name', type: 'varchar', length: 200 })
  fullName!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: UserRole;

  @Column({ name: 'created_at' })
  createdAt!: Date;

  /** The `seq` of the user's newest notification (per-user positions, like consultations.last_seq). */
  @Column({ name: 'last_notification_seq', type: 'integer', default: 0 })
  lastNotificationSeq!: number;

  /** Set by an admin: the account cannot log in, refresh or connect until unblocked. */
  @Column({ name: 'blocked_at', type: Date, nullable: true })
  blockedAt!: Date | null;

  /** Set when the owner erased the account; the row stays, anonymised, so references stay valid. */
  @Column({ name: 'deleted_at', type: Date, nullable: true })
  deletedAt!: Date | null;

  /** Profile (PATCH /api/users/me). `YYYY-MM-DD` as text: a birthday is a calendar date, not an instant. */
  @Column({ name: 'birth_date', type: 'varchar', length: 10, nullable: true })
  birthDate!: string | null;

  /** Full name at birth, for the expression number. */
  @Column({ name: 'birth_name', type: 'varchar', length: 200, nullable: true })
  birthName!: string | null;

  /** IANA zone: daily readings and their notification follow the user's local calendar day. */
  @Column({ name: 'time_zone', type: 'varchar', length: 64, nullable: true })
  timeZone!: string | null;
}
