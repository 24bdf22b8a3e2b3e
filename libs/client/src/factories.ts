import { AvailabilitySession } from './availability-session';
import { ChatSession } from './chat-session';
import type { KeepAliveOptions } from './connection';
import { NotificationsSession } from './notifications-session';
import { PresenceSession } from './presence-session';
import type {
  AvailabilityWebSocketOptions,
  ChatWebSocketOptions,
  NotificationsWebSocketOptions,
  WebSocketClientOptions,
} from './types';

export type ChatWebSocket = ChatSession;
export type NotificationsWebSocket = NotificationsSession;
export type PresenceWebSocket = PresenceSession;
export type AvailabilityWebSocket = AvailabilitySession;

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
  options: ChatWebSocketOptions & KeepAliveOptions = {},
): ChatWebSocket {
  return new ChatSession(consultationId, token, options);
}

/**
 * The user's notifications, `/ws/notifications/`: `notification` and `unread_count` frames; send
 * `mark_read`, `mark_all_read`. Reconnects resume with `last_seq` (or `last_notification_id`).
 */
export function createNotificationsWebSocket(
  token: string | null | undefined,
  options: NotificationsWebSocketOptions & KeepAliveOptions = {},
): NotificationsWebSocket {
  return new NotificationsSession(token, options);
}

/** Presence of the user's contacts, `/ws/presence/`: `presence_state`, `user_online`, `user_offline` frames. */
export function createPresenceWebSocket(
  token: string | null | undefined,
  options: WebSocketClientOptions & KeepAliveOptions = {},
): PresenceWebSocket {
  return new PresenceSession(token, options);
}

/**
 * The public listing of numerologists available for a live session, `/ws/availability/`:
 * `session.numerologists` and `onListChange(cb)` keep it current; a numerologist can `setStatus()`.
 */
export function createAvailabilityWebSocket(
  token: string | null | undefined,
  options: AvailabilityWebSocketOptions & KeepAliveOptions = {},
): AvailabilityWebSocket {
  return new AvailabilitySession(token, options);
}

/** The factories with some options filled in. */
export interface NumerAIClient {
  createChatWebSocket: typeof createChatWebSocket;
  createNotificationsWebSocket: typeof createNotificationsWebSocket;
  createPresenceWebSocket: typeof createPresenceWebSocket;
  createAvailabilityWebSocket: typeof createAvailabilityWebSocket;
}

/**
 * The factories with `defaults` under every client's own options (its own win). Lets code written
 * for the browser, such as the published `createChatWebSocket(consultationId, token)`, run
 * unchanged in Node: `const { createChatWebSocket } = createClient({ baseUrl: 'ws://localhost:8000',
 * WebSocket: require('ws') })`. Nothing is shared between two such clients.
 */
export function createClient(
  defaults: ChatWebSocketOptions & NotificationsWebSocketOptions & AvailabilityWebSocketOptions & KeepAliveOptions,
): NumerAIClient {
  const base = { ...defaults };
  return {
    createChatWebSocket: (consultationId, token, options = {}) =>
      createChatWebSocket(consultationId, token, { ...base, ...options }),
    createNotificationsWebSocket: (token, options = {}) => createNotificationsWebSocket(token, { ...base, ...options }),
    createPresenceWebSocket: (token, options = {}) => createPresenceWebSocket(token, { ...base, ...options }),
    createAvailabilityWebSocket: (token, options = {}) => createAvailabilityWebSocket(token, { ...base, ...options }),
  };
}
