import { notificationsEndpoint, type ServerFrame } from '@numerai/protocol';
import type { ConnectionRegistry } from '@numerai/realtime';

/** Sends a frame to the user's notification sockets on this instance, serialised once. */
export function toNotificationSockets(registry: ConnectionRegistry, userId: string, frame: ServerFrame): void {
  registry.broadcast(notificationsEndpoint.room(userId), frame);
}
