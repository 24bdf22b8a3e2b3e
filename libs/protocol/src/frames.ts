/**
 * Every frame of the NumerAI WebSocket protocol (docs/websocket-api.md and
 * docs/protocol.md), shared by the gateways, the tests and the client SDK.
 * Types only plus a few constants: importing this never pulls in server code.
 */

export type Endpoint = 'chat' | 'notifications' | 'presence';

export interface ChatMessageData {
  id: string;
  sender_id: string;
  sender_name: string;
  content: string;
  created_at: string;
  /** `system`: the consultation itself reports a lifecycle step (`event`), caused by the sender. */
  message_type: 'text' | 'system';
  /** System messages only: `consultation_booked`, `consultation_started`, `consultation_completed`, `consultation_cancelled`. */
  event?: string;
  /** Present when the sender gave one (idempotency key). */
  client_id?: string;
  /**
   * Position in the consultation: 1, 2, 3, … with no gap, fixed when the message is stored; the
   * order of a consultation is the order of `seq` (ids do not sort). Always sent by this server;
   * optional in the type because the published document has no such field.
   */
  seq?: number;
}

export interface NotificationData {
  id: string;
  title: string;
  message: string;
  notification_type: string;
  is_read: boolean;
  created_at: string;
  /** Extra fields of the notification, when it has any. */
  data?: Record<string, unknown>;
  /** Position among the user's notifications (1, 2, 3, …); always sent by this server. */
  seq?: number;
}

export interface PresenceUser {
  user_id: string;
  user_name: string;
}

export const ERROR_CODES = [
  'invalid_json',
  'unknown_type',
  'validation_failed',
  'not_found',
  'consultation_closed',
  'rate_limited',
  'unauthorized',
  'forbidden',
  'too_many_connections',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Close codes of protocol.md. A client must not auto-reconnect on 4400–4404. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  MessageTooBig: 1009,
  InternalError: 1011,
  BadRequest: 4400,
  Unauthorized: 4401,
  Forbidden: 4403,
  NotFound: 4404,
  IdleTimeout: 4408,
  TooManyRequests: 4429,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Close codes after which reconnecting cannot help. */
export const TERMINAL_CLOSE_CODES: readonly number[] = [
  CloseCode.Normal,
  CloseCode.BadRequest,
  CloseCode.Forbidden,
  CloseCode.NotFound,
];

// ---- client → server -------------------------------------------------------

export interface ClientFrameMap {
  chat_message: { type: 'chat_message'; message: string; client_id?: string };
  typing: { type: 'typing'; is_typing: boolean };
  read_receipt: { type: 'read_receipt'; message_id: string };
  mark_read: { type: 'mark_read'; notification_id: string };
  mark_all_read: { type: 'mark_all_read' };
  ping: { type: 'ping' };
  auth: { type: 'auth'; token: string };
}
export type ClientFrameType = keyof ClientFrameMap;
export type ClientFrame = ClientFrameMap[ClientFrameType];

/** Which client frames each endpoint accepts (ping and auth work everywhere). */
export const CLIENT_FRAMES_BY_ENDPOINT: Record<Endpoint, readonly ClientFrameType[]> = {
  chat: ['chat_message', 'typing', 'read_receipt', 'ping', 'auth'],
  notifications: ['mark_read', 'mark_all_read', 'ping', 'auth'],
  presence: ['ping', 'auth'],
};

// ---- server → client -------------------------------------------------------

export interface ServerFrameMap {
  connection_established: { type: 'connection_established'; message: string; consultation_id?: string };
  chat_message: { type: 'chat_message'; data: ChatMessageData };
  typing_indicator: { type: 'typing_indicator'; user_id: string; user_name: string; is_typing: boolean };
  /** `seq`: the position the reader's marker moved to (always sent by this server). */
  read_receipt: { type: 'read_receipt'; message_id: string; user_id: string; read_at: string; seq?: number };
  /**
   * After a catch-up replay: how many frames it sent, and whether more were stored after the last
   * one than REPLAY_MAX allowed (the client pages the rest through REST `after_seq`).
   */
  replay_complete: { type: 'replay_complete'; count: number; has_more?: boolean };
  notification: { type: 'notification'; data: NotificationData };
  unread_count: { type: 'unread_count'; count: number };
  presence_state: { type: 'presence_state'; users: PresenceUser[] };
  user_online: { type: 'user_online'; user_id: string; user_name: string };
  user_offline: { type: 'user_offline'; user_id: string; last_seen?: string };
  pong: { type: 'pong' };
  auth_ok: { type: 'auth_ok'; expires_at: string };
  error: { type: 'error'; code: ErrorCode; message: string; ref?: string; retry_after_ms?: number };
}
export type ServerFrameType = keyof ServerFrameMap;
export type ServerFrame = ServerFrameMap[ServerFrameType];

/** Protocol limits. */
export const Limits = {
  maxFrameBytes: 64 * 1024,
  maxMessageChars: 4000,
  maxClientIdChars: 64,
} as const;
