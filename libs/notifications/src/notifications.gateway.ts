import { DomainEventMap, EventBus } from '@numerai/events';
import { LoggerFactory } from '@numerai/logging';
import {
  type ClientFrameMap,
  type NotificationData,
  notificationsEndpoint,
  type ServerFrameMap,
} from '@numerai/protocol';
import {
  Admission,
  ClientConnection,
  ConnectionRegistry,
  EndpointHandlers,
  OrderedRooms,
  PagedReplay,
  RealtimeEndpoint,
  RealtimeGateway,
  RealtimeRuntime,
  UpgradeContext,
} from '@numerai/realtime';
import { toNotificationSockets } from './notification-sockets';
import { UnreadCountSockets } from './unread-count-sockets';
import { NotificationsService } from './notifications.service';

type Notifications = typeof notificationsEndpoint;
const roomOf = notificationsEndpoint.room;

/** A notification on its way to a user's sockets; the count is unknown for one read back from the database. */
interface Announced {
  notification: NotificationData;
  unread_count?: number;
}

/** `/ws/notifications/`: any authenticated user, who hears only their own notifications. */
@RealtimeEndpoint(notificationsEndpoint)
export class NotificationsGateway extends RealtimeGateway<Notifications> implements EndpointHandlers<Notifications> {
  /** Each user's notifications reach this instance's sockets in seq order, once (see OrderedRooms). */
  private readonly ordered: OrderedRooms<Announced>;

  constructor(
    runtime: RealtimeRuntime,
    private readonly notifications: NotificationsService,
    registry: ConnectionRegistry,
    private readonly counts: UnreadCountSockets,
    private readonly replay: PagedReplay,
    events: EventBus,
    loggers: LoggerFactory,
  ) {
    super(runtime, notificationsEndpoint);
    this.ordered = new OrderedRooms<Announced>({
      logger: loggers.forContext('Ordered:notifications'),
      seqOf: ({ notification }) => notification.seq ?? 0,
      source: {
        head: (userId) => this.notifications.lastSeq(userId),
        after: async (userId, afterSeq, limit) =>
          (await this.notifications.after(userId, afterSeq, limit)).map((notification) => ({ notification })),
      },
      deliver: (userId, { notification, unread_count }) => {
        toNotificationSockets(registry, userId, { type: 'notification', data: notification });
        if (unread_count !== undefined) counts.send(userId, unread_count);
        else this.announceCount(userId);
      },
    });
    const created = ({ user_id, notification, unread_count }: DomainEventMap['notification.created']) =>
      this.ordered.accept(user_id, { notification, unread_count });
    events.on('notification.created', created);
    events.on('notification.replaced', created);
    events.on('notification.created_many', ({ items }) => items.forEach(created));
    events.on('notification.unread_count', ({ user_id, count }) => counts.send(user_id, count));
  }

  async admit({ principal }: UpgradeContext): Promise<Admission<undefined>> {
    return { room: roomOf(principal.id), context: undefined };
  }

  established() {
    return { message: 'Connected to notifications' };
  }

  /**
   * `unread_count` at once; with `?last_seq=` or `?last_notification_id=` the ones created
   * after that position (paged, bounded, see PagedReplay), then `replay_complete`.
   */
  async opened(connection: ClientConnection, query: URLSearchParams): Promise<void> {
    const liveFrom = this.ordered.join(connection.userId);
    // The connection is in the room already: what arrives meanwhile is held, so unread_count and the replay come
    // first, a notification created meanwhile is followed by its (newer) count, and none arrives twice.
    await this.replay.resume(connection, {
      type: 'notification',
      liveFrom,
      before: async () => {
        connection.send({ type: 'unread_count', count: await this.notifications.unreadCount(connection.userId) });
      },
      afterSeq: () => this.notifications.resumePoint(connection.userId, query),
      read: (after, limit) => this.notifications.after(connection.userId, after, limit),
    });
  }

  closed(connection: ClientConnection): void {
    this.ordered.leave(connection.userId);
  }

  async onMarkRead(connection: ClientConnection, frame: ClientFrameMap['mark_read']): Promise<void> {
    await this.notifications.markRead(connection.userId, frame.notification_id);
  }

  async onMarkAllRead(connection: ClientConnection): Promise<ServerFrameMap['unread_count'] | undefined> {
    const changed = await this.notifications.markAllRead(connection.userId);
    // Nothing changed → no broadcast happened; still answer so the client knows where it stands.
    return changed === 0 ? { type: 'unread_count', count: 0 } : undefined;
  }

  /** After notifications read back from the database: their count was not announced with them. */
  private announceCount(userId: string): void {
    this.notifications.unreadCount(userId).then(
      (count) => this.counts.send(userId, count),
      () => undefined, // the next change announces it again
    );
  }
}
