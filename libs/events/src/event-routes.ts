import { AVAILABILITY_ROOM_KEY, availabilityEndpoint, chatEndpoint, roomName } from '@numerai/protocol';
import type { DomainEventMap, DomainEventName } from './domain-events';

/**
 * Where each domain event has to go, declared once next to the events. A route is a list
 * of channel keys: an instance hears an event only if it follows one of its keys, and it
 * follows a key while it holds a socket that needs it (see `channelsOfConnection`).
 *
 *   room:<room>  a shared room (a consultation's chat): the instances holding its sockets
 *   user:<id>    everything for one user: the instances holding any socket of theirs
 *   broadcast    every instance (rare events everybody must see)
 */
export type ChannelKey = string;

export const BROADCAST_CHANNEL: ChannelKey = 'broadcast';
export const userChannel = (userId: string): ChannelKey => `user:${userId}`;
export const roomChannel = (room: string): ChannelKey => `room:${room}`;
/** The registry room of a consultation's chat sockets: the contract names it, as it does for the gateway. */
export const consultationRoom = (consultationId: string): string => chatEndpoint.room(consultationId);

/**
 * Past this many channels one event goes out once on `broadcast` instead: every instance
 * parsing it once is cheaper than that many publishes (an admin broadcast's chunks).
 */
export const MAX_TARGETED_CHANNELS = 16;

type Route<K extends DomainEventName> = (payload: DomainEventMap[K]) => ChannelKey[];

const users = (ids: Iterable<string>): ChannelKey[] => [...new Set(ids)].map(userChannel);
const room = (consultationId: string): ChannelKey[] => [roomChannel(consultationRoom(consultationId))];
const broadcast = (): ChannelKey[] => [BROADCAST_CHANNEL];

const ROUTES: { [K in DomainEventName]: Route<K> } = {
  'chat.message_stored': ({ consultation_id }) => room(consultation_id),
  'chat.typing': ({ consultation_id }) => room(consultation_id),
  'chat.read': ({ consultation_id }) => room(consultation_id),
  'live_session.frame': ({ consultation_id }) => room(consultation_id),
  // Handled on the publishing instance only (onOrigin); routed to the user for any later listener.
  'wallet.credited': ({ user_id }) => users([user_id]),
  // A user's own stream is heard on the user's channel (channelsOfConnection), another on its room's.
  'stream.item_stored': ({ stream, key, user_keyed }) =>
    user_keyed ? users([key]) : [roomChannel(roomName(stream, key))],
  'notification.created': ({ user_id }) => users([user_id]),
  'notification.replaced': ({ user_id }) => users([user_id]),
  'notification.created_many': ({ items }) => users(items.map((item) => item.user_id)),
  'notification.unread_count': ({ user_id }) => users([user_id]),
  // The contacts' presence sockets are what listens; the user's own need nothing.
  'presence.changed': ({ recipient_ids }) => users(recipient_ids),
  // The instances holding a socket of the public listing (they follow its one room), no other.
  'availability.changed': () => [roomChannel(availabilityEndpoint.room(AVAILABILITY_ROOM_KEY))],
  // Every instance caches consultation statuses (ConsultationStatusCache), rooms held or not; rare.
  'consultation.status_changed': broadcast,
  // Every instance remembers revoked sessions for sockets still being admitted; rare.
  'session.revoked': broadcast,
  // Handled on the publishing instance only (onOrigin); routed to the two users for any later listener.
  'consultation.lifecycle': ({ user_id, numerologist_id }) => users([user_id, numerologist_id]),
};

/** The channels an event is published on: one or more targeted keys, or `broadcast`. */
export function routeOf<K extends DomainEventName>(name: K, payload: DomainEventMap[K]): ChannelKey[] {
  const route = ROUTES[name] as Route<K> | undefined;
  const keys = route ? route(payload) : broadcast();
  return keys.length > MAX_TARGETED_CHANNELS ? broadcast() : keys;
}

/**
 * The channels one socket needs: its user's (notifications, presence of contacts, unread
 * counts) and, for a shared room, the room's. A room named after its own user
 * (`notifications:<user>`, `presence:<user>`) is covered by the user channel.
 */
export function channelsOfConnection(connection: { userId: string; room: string }): ChannelKey[] {
  const keys = [userChannel(connection.userId)];
  if (!connection.room.endsWith(`:${connection.userId}`)) keys.push(roomChannel(connection.room));
  return keys;
}
