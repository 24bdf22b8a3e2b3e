import { Injectable } from '@nestjs/common';
import { AppConfig } from '@numerai/config';
import { newId } from '@numerai/database';
import { PushSubscriptionEntity } from './push-subscription.entity';
import { DomainEventMap, EventBus } from '@numerai/events';
import { PreferencesService } from '@numerai/notifications';
import { Clock } from '@numerai/scheduler';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { NewPushDelivery, PushDeliveriesRepository } from './push-deliveries.repository';
import { describeError } from './describe-error';
import { PushDeliveryJob } from './push-delivery.job';
import { toPushPayload } from './push-payload';
import { PushSubscriptionsRepository } from './push-subscriptions.repository';

type Created = DomainEventMap['notification.created'];

/**
 * On the instance that stored a notification (once per notification), queues a push to each
 * of the recipient's subscriptions if their preferences have `push` on for its type, due
 * after PUSH_GRACE_MS: whether they are away is decided then (a reload in between is not).
 */
@Injectable()
export class PushEnqueuer {
  private readonly logger: ContextLogger;

  constructor(
    events: EventBus,
    private readonly preferences: PreferencesService,
    private readonly subscriptions: PushSubscriptionsRepository,
    private readonly deliveries: PushDeliveriesRepository,
    private readonly job: PushDeliveryJob,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('Push');
    const queue = (items: Created[]) =>
      this.queue(items).catch((error: unknown) => this.logger.error(`queuing pushes failed: ${describeError(error)}`));
    events.onOrigin('notification.created', (item) => queue([item]));
    events.onOrigin('notification.created_many', ({ items }) => queue(items));
  }

  /** `items` come from one send, so they share a notification type (a bulk chunk is at most 500). */
  private async queue(items: Created[]): Promise<void> {
    if (items.length === 0) return;
    const subscriptions = await this.subscriptions.ofUsers(items.map((item) => item.user_id));
    if (subscriptions.length === 0) return;
    const byUser = new Map<string, PushSubscriptionEntity[]>();
    for (const subscription of subscriptions) {
      byUser.set(subscription.userId, [...(byUser.get(subscription.userId) ?? []), subscription]);
    }
    const byType = new Map<string, Created[]>();
    for (const item of items) {
      const type = item.notification.notification_type;
      byType.set(type, [...(byType.get(type) ?? []), item]);
    }
    const dueAt = new Date(this.clock.now().getTime() + this.config.push.graceMs);
    const rows: NewPushDelivery[] = [];
    for (const [type, ofType] of byType) {
      const wanted = new Set(await this.preferences.pushRecipients([...new Set(ofType.map((i) => i.user_id))], type));
      for (const { user_id, notification } of ofType) {
        if (!wanted.has(user_id)) continue;
        const payload = JSON.stringify(toPushPayload(notification));
        const consultationId = type === 'chat_message' ? notification.data?.consultation_id : undefined;
        for (const subscription of byUser.get(user_id) ?? []) {
          rows.push({
            id: newId(),
            notificationId: notification.id,
            subscriptionId: subscription.id,
            userId: user_id,
            consultationId: typeof consultationId === 'string' ? consultationId : null,
            payload,
            state: 'pending',
            dueAt,
            claimedAt: null,
            attempts: 0,
          });
        }
      }
    }
    await this.deliveries.enqueue(rows);
    if (rows.length > 0) this.job.wakeAt(dueAt);
  }
}
