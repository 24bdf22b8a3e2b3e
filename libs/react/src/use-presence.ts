import { useCallback, useMemo, useState } from 'react';
import {
  createPresenceWebSocket,
  type ConnectionState,
  type PresenceWebSocket,
  type WebSocketClientOptions,
} from './sdk';
import { socketOptions } from './provider';
import { useUserSocket } from './user-socket';

export interface PresenceEntry {
  user_id: string;
  user_name?: string;
  online: boolean;
  /** When the user went offline, if the server said. */
  last_seen?: string;
}

export interface UsePresenceOptions {
  /** Connect only while true. Default true. */
  enabled?: boolean;
  /** Options for this socket, on top of the provider's `clientOptions`. */
  clientOptions?: Omit<WebSocketClientOptions, 'baseUrl' | 'WebSocket' | 'getToken' | 'autoConnect'>;
}

export interface UsePresenceResult {
  /** Ids of the contacts online right now. */
  onlineUserIds: string[];
  /** Every contact seen so far, online or not, by user id. */
  users: Record<string, PresenceEntry>;
  isOnline(userId: string): boolean;
  isConnected: boolean;
  state: ConnectionState;
  client: PresenceWebSocket | null;
}

/** Which of the user's contacts (people they share a consultation with) are online. */
export function usePresence(options: UsePresenceOptions = {}): UsePresenceResult {
  const [users, setUsers] = useState<Record<string, PresenceEntry>>({});
  const { client, state } = useUserSocket(options.enabled ?? true, (token, ctx) => {
    setUsers({});
    const ws = createPresenceWebSocket(token, socketOptions(ctx, options.clientOptions));
    // Each connection starts with the full picture; it replaces whatever was known.
    ws.on('presence_state', (frame) =>
      setUsers((current) => {
        const next: Record<string, PresenceEntry> = {};
        for (const [id, entry] of Object.entries(current)) next[id] = { ...entry, online: false };
        for (const user of frame.users) next[user.user_id] = { ...user, online: true };
        return next;
      }),
    );
    ws.on('user_online', (frame) =>
      setUsers((current) => ({
        ...current,
        [frame.user_id]: { user_id: frame.user_id, user_name: frame.user_name, online: true },
      })),
    );
    ws.on('user_offline', (frame) =>
      setUsers((current) => ({
        ...current,
        [frame.user_id]: {
          ...current[frame.user_id],
          user_id: frame.user_id,
          online: false,
          last_seen: frame.last_seen,
        },
      })),
    );
    return ws;
  });

  const onlineUserIds = useMemo(
    () =>
      Object.values(users)
        .filter((user) => user.online)
        .map((user) => user.user_id),
    [users],
  );
  const isOnline = useCallback((userId: string) => Boolean(users[userId]?.online), [users]);
  return { onlineUserIds, users, isOnline, isConnected: state === 'open', state, client };
}
