import type { ConsultationStatus } from '@numerai/common';
import type { ChatMessageData, NotificationData, ServerFrameMap } from '@numerai/protocol';

/**
 * Every event that crosses feature (and instance) boundaries, by name. Payloads are plain
 * JSON so the Redis bus can carry them unchanged. Add an event here, never a bare string.
 */
export interface DomainEventMap {
  'chat.message_stored': { consultation_id: string; participant_ids: [string, string]; message: ChatMessageData };
  'chat.typing': { consultation_id: string; user_id: string; user_name: string; is_typing: boolean };
  'chat.read': {
    consultation_id: string;
    user_id: string;
    message_id: string;
    /** The marker's new position (that message's seq). */
    seq: number;
    read_at: string;
    /** The connection that sent the receipt does not get it echoed. */
    origin_connection_id: string;
  };
  /** A live session's frame (`session_state`, `low_balance`) for the consultation's chat sockets. */
  'live_session.frame': {
    consultation_id: string;
    frame: ServerFrameMap['session_state'] | ServerFrameMap['low_balance'];
  };
  /** Money reached a user's wallet (a top-up, a grant, a refund): a live session they pay for runs longer. */
  'wallet.credited': { user_id: string };
  'notification.created': { user_id: string; notification: NotificationData; unread_count: number };
  /**
   * A repeat that took the place of the user's unread notification with the same collapse key:
   * shown like a created one, but never pushed (the first one was, or its push was dropped with it).
   */
  'notification.replaced': { user_id: string; notification: NotificationData; unread_count: number };
  /** One event for a whole bulk send (chunked by the service), not one per recipient. */
  'notification.created_many': { items: { user_id: string; notification: NotificationData; unread_count: number }[] };
  'notification.unread_count': { user_id: string; count: number };
  'presence.changed': {
    user_id: string;
    user_name: string;
    online: boolean;
    last_seen: string | null;
    /** Contacts to tell; computed once by the instance that saw the change. */
    recipient_ids: string[];
  };
  /**
   * A numerologist's availability or rate was written (committed): every instance holding
   * `/ws/availability/` sockets reads the row again and tells its sockets what changed in the
   * listing. Only the id travels, so events overtaking each other between instances cannot
   * leave a stale state behind: the last read wins, and it follows the last write.
   */
  'availability.changed': { user_id: string };
  /**
   * An item of a stream declared on its own (libs/realtime StreamModule) was stored: its
   * readers on every instance get it in order, once. `stream` is its endpoint's name; a
   * user-keyed stream's `key` is the user id.
   */
  'stream.item_stored': { stream: string; key: string; user_keyed: boolean; item: { seq?: number } };
  'consultation.status_changed': {
    consultation_id: string;
    status: ConsultationStatus;
    /** Client first, numerologist second. */
    participant_ids: [string, string];
  };
  /**
   * Sessions that just ended (already committed as revoked): every instance closes their
   * sockets with 4401. Ids are listed, never "all of the user", so a session opened a
   * moment later is not caught by an event still travelling.
   */
  'session.revoked': { user_id: string; session_ids: string[] };
  /** A consultation was booked, or its status change was stored; announced once, by the instance that did it. */
  'consultation.lifecycle': {
    consultation_id: string;
    user_id: string;
    numerologist_id: string;
    event: ConsultationLifecycleEvent;
    status: ConsultationStatus;
    actor_id: string;
    actor_name: string;
  };
}

export type ConsultationLifecycleEvent = 'booked' | 'started' | 'completed' | 'cancelled';

export type DomainEventName = keyof DomainEventMap;

export interface DomainEvent<K extends DomainEventName = DomainEventName> {
  name: K;
  payload: DomainEventMap[K];
  /** Epoch ms at publish, for the fan-out delay metric. */
  published_at: number;
  /** Instance that published it. */
  origin: string;
}

export type DomainEventHandler<K extends DomainEventName> = (payload: DomainEventMap[K], event: DomainEvent<K>) => void;
