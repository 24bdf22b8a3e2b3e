import { useCallback, useEffect, useRef, useState } from 'react';
import {
  createNotificationsWebSocket,
  type ConnectionState,
  type NotificationData,
  type NotificationsWebSocket,
  type NotificationsWebSocketOptions,
} from './sdk';
import { newestSeq } from './positions';
import { socketOptions, useNumerAI } from './provider';

export interface UseNotificationsOptions {
  /** Connect only while true. Default true. */
  enabled?: boolean;
  /** How many recent notifications to fetch from `GET /api/notifications` (≤ 100). Default 20. */
  pageSize?: number;
  /** Options for this socket, on top of the provider's `clientOptions`. */
  clientOptions?: Omit<NotificationsWebSocketOptions, 'baseUrl' | 'WebSocket' | 'getToken' | 'autoConnect' | 'httpGet'>;
}

export interface UseNotificationsResult {
  /** Recent and live notifications, newest first (by `seq` where the server numbers them), each once. */
  notifications: NotificationData[];
  /** Unread notifications, as the server counts them (`unread_count` frames). */
  unreadCount: number;
  /** Marks one notification read (at once in the UI; the server confirms with a new count). */
  markRead(notificationId: string): void;
  /** Marks every notification read. */
  markAllRead(): void;
  isConnected: boolean;
  state: ConnectionState;
  /** The last failure to load the list over REST. */
  error: Error | null;
  client: NotificationsWebSocket | null;
}

interface Page {
  items: NotificationData[];
}

/** Newest first: by `seq` where both have one, else by creation time. */
function newestFirst(a: NotificationData, b: NotificationData): number {
  if (a.seq !== undefined && b.seq !== undefined) return b.seq - a.seq;
  return a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0;
}

/** The signed-in user's notifications and unread count, live. The socket closes on unmount. */
export function useNotifications(options: UseNotificationsOptions = {}): UseNotificationsResult {
  const ctx = useNumerAI();
  const { enabled = true, pageSize = 20 } = options;
  const [notifications, setNotifications] = useState<NotificationData[]>([]);
  const [unreadCount, setUnreadCount] = useState(0);
  const [state, setState] = useState<ConnectionState>('idle');
  const [client, setClient] = useState<NotificationsWebSocket | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const clientRef = useRef<NotificationsWebSocket | null>(null);
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;
  const optionsRef = useRef(options);
  optionsRef.current = options;

  const signedIn = Boolean(ctx.token);
  useEffect(() => {
    if (!enabled || !signedIn) return;
    const { api, register, token } = ctxRef.current;
    let disposed = false;
    setNotifications([]);
    setUnreadCount(0);
    setError(null);

    const load = async () => {
      try {
        const page = await api<Page>(`/api/notifications?limit=${pageSize}`);
        if (disposed) return;
        setNotifications((current) => {
          // The page is the fresher word on what it lists (is_read may have changed elsewhere).
          const byId = new Map(current.map((n) => [n.id, n]));
          for (const n of page.items) byId.set(n.id, n);
          return [...byId.values()].sort(newestFirst);
        });
        // What the page shows is held: a reconnect asks only for what is newer.
        const newest = newestSeq(page.items);
        if (newest !== undefined) ws.advanceResumePoint(newest);
      } catch (failure) {
        // The list is a convenience; the live count keeps working without it.
        if (!disposed) setError(failure instanceof Error ? failure : new Error(String(failure)));
      }
    };

    const ws = createNotificationsWebSocket(token, socketOptions(ctxRef.current, optionsRef.current.clientOptions));
    clientRef.current = ws;
    setClient(ws);
    setState(ws.state);
    const unregister = register(ws);
    ws.onStateChange(setState);
    // A reconnect replays what was missed (from the client's resume point); the list is read again
    // as well, for read flags changed elsewhere meanwhile.
    ws.onConnect(() => void load());
    ws.on('unread_count', (frame) => setUnreadCount(frame.count));
    ws.on('notification', (frame) =>
      setNotifications((current) => [frame.data, ...current.filter((n) => n.id !== frame.data.id)].sort(newestFirst)),
    );

    return () => {
      disposed = true;
      unregister();
      ws.close();
      if (clientRef.current === ws) clientRef.current = null;
      setClient((current) => (current === ws ? null : current));
    };
  }, [enabled, signedIn, ctx.userId, ctx.wsBase, ctx.WebSocket, pageSize]);

  const markRead = useCallback((notificationId: string) => {
    setNotifications((current) => current.map((n) => (n.id === notificationId ? { ...n, is_read: true } : n)));
    clientRef.current?.send('mark_read', { notification_id: notificationId });
  }, []);

  const markAllRead = useCallback(() => {
    setNotifications((current) => current.map((n) => (n.is_read ? n : { ...n, is_read: true })));
    setUnreadCount(0);
    clientRef.current?.send('mark_all_read');
  }, []);

  return { notifications, unreadCount, markRead, markAllRead, isConnected: state === 'open', state, error, client };
}
