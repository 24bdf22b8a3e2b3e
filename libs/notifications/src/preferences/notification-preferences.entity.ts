import { Column, Entity, PrimaryColumn } from 'typeorm';

export interface ChannelPreference {
  in_app: boolean;
  push: boolean;
}

/** A user's per-type switches; a type not listed is on everywhere. */
@Entity('notification_preferences')
export class NotificationPreferencesEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'simple-json' })
  types!: Record<string, ChannelPreference>;

  @Column({ name: 'updated_at' })
  updatedAt!: Date;
}
