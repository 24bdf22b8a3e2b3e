import { NotFoundException } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import { DomainEventMap, EventBus } from '@numerai/events';
import type { ServerFrame, ServerFrameMap } from '@numerai/protocol';
import {
  Admission,
  ClientConnection,
  ConnectionRegistry,
  OnFrame,
  RealtimeGateway,
  RealtimeRuntime,
  UpgradeContext,
  WsError,
} from '@numerai/realtime';
import { MarkReadFrame } from './dto/notification.dto';
import { NotificationsService } from './notifications.service';

const roomOf = (userId: string) => `notifications:${userId}`;

/** Sends a frame to the user's notification sockets, serialised once. */
function deliver(registry: ConnectionRegistry, userId: string, frame: ServerFrame): void {
  registry.broadcast(roomOf(userId), frame);
}

/** `/ws/notifications/`: any authenticated user, who hears only their own notifications. */
@WebSocketGateway({ path: '/ws/notifications' })
export class NotificationsGateway extends RealtimeGateway {
  readonly endpoint = 'notifications' as const;

  constructor(
    runtime: RealtimeRuntime,
    private readonly notifications: NotificationsService,
    registry: ConnectionRegistry,
    events: EventBus,
  ) {
    super(runtime);
    const created = ({ user_id, notification, unread_count }: DomainEventMap['notification.created']) => {
      deliver(registry, user_id, { type: 'notification', data: notification });
      deliver(registry, user_id, { type: 'unread_count', count: unread_count });
    };
    events.on('notification.created', created);
    events.on('notification.created_many', ({ items }) => items.forEach(created));
    events.on('notification.unread_count', ({ user_id, count }) =>
      deliver(registry, user_id, { type: 'unread_count', count }),
    );
  }

  async admit({ principal }: UpgradeContext): Promise<Admission> {
    return { room: roomOf(principal.id), context: undefined };
  }

  established() {
    return { message: 'Connected to notifications' };
  }

  /** `unread_count` at once; with `?last_notification_id=` the ones created since, then `replay_complete`. */
  async opened(connection: ClientConnection, query: URLSearchParams): Promise<void> {
    // The connection is in the room already: hold what arrives meanwhile, so unread_count and the replay come
    // first, a notification created meanwhile is followed by its (newer) count, and none arrives twice.
    connection.hold();
    const replayed = new Set<string>();
    try {
      connection.send({ type: 'unread_count', count: await this.notifications.unreadCount(connection.userId) });
      const lastId = query.get('last_notification_id');
      if (!lastId) return;
      const replay = await this.notifications.after(connection.userId, lastId);
      if (!replay) throw new WsError('not_found', 'last_notification_id is not one of your notifications');
      for (const notification of replay) {
        replayed.add(notification.id);
        connection.send({ type: 'notification', data: notification });
      }
      connection.send({ type: 'replay_complete', count: replay.length });
    } finally {
      connection.release((frame) => frame.type === 'notification' && replayed.has(frame.data.id));
    }
  }

  @OnFrame('mark_read', MarkReadFrame)
  async onMarkRead(connection: ClientConnection, frame: MarkReadFrame): Promise<void> {
    try {
      await this.notifications.markRead(connection.userId, frame.notification_id);
    } catch (error) {
      // Only a real not-found is `not_found`; anything else goes on as `internal` (logged by the exception filter).
      if (error instanceof NotFoundException) throw new WsError('not_found', 'Notification not found');
      throw error;
    }
  }

  @OnFrame('mark_all_read')
  async onMarkAllRead(connection: ClientConnection): Promise<ServerFrameMap['unread_count'] | undefined> {
    const changed = await this.notifications.markAllRead(connection.userId);
    // Nothing changed → no broadcast happened; still answer so the client knows where it stands.
    return changed === 0 ? { type: 'unread_count', count: 0 } : undefined;
  }
}
