import { DomainEventMap, EventBus } from '@numerai/events';
import {
  type ClientFrameMap,
  notificationsEndpoint,
  notificationsStream,
  type ServerFrameMap,
} from '@numerai/protocol';
import {
  Admission,
  ClientConnection,
  EndpointHandlers,
  RealtimeEndpoint,
  RealtimeGateway,
  RealtimeRuntime,
  StreamDeliveries,
  StreamDelivery,
  UpgradeContext,
} from '@numerai/realtime';
import { UnreadCountSockets } from './unread-count-sockets';
import { NotificationsService } from './notifications.service';

type Notifications = typeof notificationsEndpoint;
const roomOf = notificationsEndpoint.room;

/** `/ws/notifications/`: any authenticated user, who hears only their own notifications. */
@RealtimeEndpoint(notificationsEndpoint)
export class NotificationsGateway extends RealtimeGateway<Notifications> implements EndpointHandlers<Notifications> {
  /**
   * Each user's notifications: ordered, resumed and delivered by the declared stream
   * (notificationsStream). The unread count an announcement carries follows its notification;
   * one read back from the database carries none, so it is read afresh.
   */
  private readonly stream: StreamDelivery<typeof notificationsStream, number>;

  constructor(
    runtime: RealtimeRuntime,
    private readonly notifications: NotificationsService,
    private readonly counts: UnreadCountSockets,
    streams: StreamDeliveries,
    events: EventBus,
  ) {
    super(runtime, notificationsEndpoint);
    this.stream = streams.create<typeof notificationsStream, number>(notificationsStream, {
      source: notifications.source,
      // The connection is in the room already: what arrives meanwhile is held, so unread_count and the replay
      // come first, a notification created meanwhile is followed by its (newer) count, and none arrives twice.
      opening: async (connection, userId) => {
        connection.send({ type: 'unread_count', count: await this.notifications.unreadCount(userId) });
      },
      delivered: (userId, _notification, unreadCount) => {
        if (unreadCount !== undefined) counts.send(userId, unreadCount);
        else this.announceCount(userId);
      },
    });
    const created = ({ user_id, notification, unread_count }: DomainEventMap['notification.created']) =>
      this.stream.accept(user_id, notification, unread_count);
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
   * after that position (paged, bounded, see StreamDelivery), then `replay_complete`.
   */
  opened(connection: ClientConnection, query: URLSearchParams): Promise<void> {
    return this.stream.open(connection, connection.userId, query);
  }

  closed(connection: ClientConnection): void {
    this.stream.close(connection.userId);
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
