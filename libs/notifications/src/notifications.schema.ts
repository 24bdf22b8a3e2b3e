import type { FeatureSchema } from '@numerai/database';
import { NotificationEntity } from './notification.entity';
import { NotificationPreferencesEntity } from './preferences/notification-preferences.entity';

/** The notifications feature's tables (notifications, notification_preferences). Built by the shared history. */
export const NOTIFICATIONS_SCHEMA: FeatureSchema = {
  entities: [NotificationEntity, NotificationPreferencesEntity],
  migrations: [],
};
