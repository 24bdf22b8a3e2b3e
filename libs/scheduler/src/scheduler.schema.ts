import type { FeatureSchema } from '@numerai/database';
import { NotificationDeliveryEntity } from './notification-delivery.entity';

/** The scheduler's exactly-once ledger (notification_deliveries). Built by the shared history in apps/api/src/schema-history. */
export const SCHEDULER_SCHEMA: FeatureSchema = { entities: [NotificationDeliveryEntity], migrations: [] };
