import { notificationsEndpoint, type ServerFrame } from '@numerai/protocol';
import type { ConnectionRegistry } from '@numerai/realtime';

/** Sends a frame to the user's notification sockets on this instance, serialised once. */
export function toNotificationSockets(registry: ConnectionRegistry, userId: string, frame: ServerFrame): void {
  registry.broadcast(notificationsEndpoint.room(userId), frame);
}

/** The user's unread count, to their notification sockets on this instance. */
export function sendUnreadCount(registry: ConnectionRegistry, userId: string, count: number): void {
  toNotificationSockets(registry, userId, { type: 'unread_count', count });
}
