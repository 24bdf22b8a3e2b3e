import type { Endpoint } from '@numerai/protocol';
import type { AvailabilitySession } from './availability-session';
import type { ChatSession } from './chat-session';
import type { NotificationsSession } from './notifications-session';
import type { PresenceSession } from './presence-session';

/** The session class of each endpoint. */
export interface SessionByEndpoint {
  chat: ChatSession;
  notifications: NotificationsSession;
  presence: PresenceSession;
  availability: AvailabilitySession;
}

/**
 * A client of one endpoint: a `ReconnectingConnection` (reconnects with backoff, renews its token,
 * queues frames while away) under that endpoint's session, which owns its resume point. Create
 * one with `createChatWebSocket` and its siblings, or through `createClient(defaults)`.
 */
export type NumerAIWebSocket<E extends Endpoint = Endpoint> = SessionByEndpoint[E];

export { ReconnectingConnection } from './connection';
export type { KeepAliveOptions, SessionHooks } from './connection';
export { EndpointSession } from './session';
export { StreamSession } from './stream-session';
export { ChatSession } from './chat-session';
export { NotificationsSession } from './notifications-session';
export { PresenceSession } from './presence-session';
export { AvailabilitySession } from './availability-session';
