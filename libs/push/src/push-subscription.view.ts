import type { PushSubscriptionEntity } from './push-subscription.entity';

/** What the API (and the account export) shows of a subscription: never its keys. */
export function toPushSubscriptionView(row: PushSubscriptionEntity) {
  return { id: row.id, endpoint: row.endpoint, created_at: row.createdAt.toISOString() };
}

export type PushSubscriptionView = ReturnType<typeof toPushSubscriptionView>;
