import type { FeatureSchema } from '@numerai/database';
import { PushSubscriptions1733600000000 } from './migrations/1733600000000-push-subscriptions';
import { PushDeliveryEntity } from './push-delivery.entity';
import { PushSubscriptionEntity } from './push-subscription.entity';

/** Push's tables (push_subscriptions, push_deliveries) and the migrations of its own. */
export const PUSH_SCHEMA: FeatureSchema = {
  entities: [PushSubscriptionEntity, PushDeliveryEntity],
  migrations: [PushSubscriptions1733600000000],
};
