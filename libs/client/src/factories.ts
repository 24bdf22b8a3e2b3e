import type { ChatWebSocketOptions, NotificationsWebSocketOptions, WebSocketClientOptions } from './types';
import { NumerAIWebSocket } from './websocket-client';

export type ChatWebSocket = NumerAIWebSocket<'chat'>;
export type NotificationsWebSocket = NumerAIWebSocket<'notifications'>;
export type PresenceWebSocket = NumerAIWebSocket<'presence'>;

/**
 * The consultation chat, `/ws/chat/{consultation_id}/`:
 *
 * ```ts
 * const ws = createChatWebSocket(consultationId, token);
 * ws.onConnect(() => console.log('Connected to chat'));
 * ws.on('chat_message', (frame) => console.log('New message:', frame.data.content));
 * ws.send('chat_message', { message: 'Hello!' });
 * ```
 *
 * `token` may be null when `options.getToken` supplies it.
 */
export function createChatWebSocket(
  consultationId: string,
  token: string | null | undefined,
  options: ChatWebSocketOptions = {},
): ChatWebSocket {
  return new NumerAIWebSocket('chat', token, { ...options, consultationId });
}

/**
 * The user's notifications, `/ws/notifications/`: `notification` and `unread_count` frames; send
 * `mark_read`, `mark_all_read`. Reconnects resume with `last_seq` (or `last_notification_id`).
 */
export function createNotificationsWebSocket(
  token: string | null | undefined,
  options: NotificationsWebSocketOptions = {},
): NotificationsWebSocket {
  return new NumerAIWebSocket('notifications', token, options);
}

/** Presence of the user's contacts, `/ws/presence/`: `presence_state`, `user_online`, `user_offline` frames. */
export function createPresenceWebSocket(
  token: string | null | undefined,
  options: WebSocketClientOptions = {},
): PresenceWebSocket {
  return new NumerAIWebSocket('presence', token, options);
}
