import { useCallback, useEffect, useRef, useState } from 'react';
import {
  createChatWebSocket,
  type ChatMessageData,
  type ChatWebSocket,
  type ChatWebSocketOptions,
  type ConnectionState,
  type SendResult,
  type ServerFrameMap,
} from './sdk';
import { newestSeq } from './positions';
import { socketOptions, useNumerAI } from './provider';

export interface TypingUser {
  user_id: string;
  user_name: string;
}

export interface ReadMarker {
  message_id: string;
  read_at: string;
  /** Position of `message_id`, from servers that number messages. */
  seq?: number;
}

export interface UseChatWebSocketOptions {
  /** Connect only while true (e.g. while the chat panel is visible). Default true. */
  enabled?: boolean;

  /** Messages fetched per REST history page (`GET /api/consultations/:id/messages`, ≤ 100). Default 50. */
  historyPageSize?: number;

  /**
   * Drop a typing user after this many milliseconds without news, in case their `is_typing:false`
   * was lost. Default 8000 (the server itself sends `false` 6 s after the last `true`).
   */
  typingTimeoutMs?: number;

  /** Minimum interval between two `is_typing:true` frames this hook sends, in milliseconds. Default 3000. */
  typingThrottleMs?: number;

  /** Options for this chat socket, on top of the provider's `clientOptions`. */
  clientOptions?: Omit<ChatWebSocketOptions, 'baseUrl' | 'WebSocket' | 'getToken' | 'autoConnect' | 'httpGet'>;
}

export interface UseChatWebSocketResult {
  /** True while the chat socket is connected. */
  isConnected: boolean;
  /** The socket's state (`connecting`, `open`, `reconnecting`, `closed`, …). */
  state: ConnectionState;
  /** History and live messages in the consultation's order (`seq`), oldest first, each once. */
  messages: ChatMessageData[];
  /** Sends a chat message (queued while disconnected); null when `text` is blank. */
  sendMessage(text: string): SendResult<'chat_message'> | null;
  /** Tells the other participant that you are (or stopped) typing; throttled. */
  sendTyping(isTyping?: boolean): void;
  /** Other participants typing right now. */
  typingUsers: TypingUser[];
  /** Marks `messageId` (default: the newest message) and everything before it as read. */
  markRead(messageId?: string): void;
  /** The newest message each other user (or your other device) has read, by user id. */
  readReceipts: Record<string, ReadMarker>;
  /** True once the first history page has loaded. */
  historyLoaded: boolean;
  /** True when older history can be fetched with `loadOlder()`. */
  hasMoreHistory: boolean;
  /** Fetches the next older history page. */
  loadOlder(): Promise<void>;
  /** The last error: an `error` frame from the server, a refusal, or a failed REST call. */
  error: ServerFrameMap['error'] | Error | null;
  /** The underlying SDK client, for anything the hook does not cover. */
  client: ChatWebSocket | null;
}

interface HistoryPage {
  items: ChatMessageData[];
  next_before: string | null;
}

/** Messages by id, in the consultation's order. */
function merge(current: ChatMessageData[], incoming: ChatMessageData[]): ChatMessageData[] {
  if (incoming.length === 0) return current;
  const last = current[current.length - 1];
  // The common case: one live message newer than everything held.
  if (incoming.length === 1 && (!last || compare(incoming[0], last) > 0)) return [...current, incoming[0]];
  const byId = new Map(current.map((message) => [message.id, message]));
  for (const message of incoming) byId.set(message.id, message);
  return [...byId.values()].sort(compare);
}

/** By `seq`, the order the server decided; servers without positions order by creation time. */
function compare(a: ChatMessageData, b: ChatMessageData): number {
  if (a.seq !== undefined && b.seq !== undefined) return a.seq - b.seq;
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return a.id === b.id ? 0 : a.id < b.id ? -1 : 1;
}

/**
 * The chat of one consultation: REST history merged with live frames (no duplicates),
 * typing indicators and read receipts. The socket closes on unmount.
 *
 * ```tsx
 * const { isConnected, messages, sendMessage, sendTyping } = useChatWebSocket(consultationId);
 * ```
 */
export function useChatWebSocket(
  consultationId: string | null | undefined,
  options: UseChatWebSocketOptions = {},
): UseChatWebSocketResult {
  const ctx = useNumerAI();
  const { enabled = true, historyPageSize = 50, typingTimeoutMs = 8000, typingThrottleMs = 3000 } = options;
  const [state, setState] = useState<ConnectionState>('idle');
  const [messages, setMessages] = useState<ChatMessageData[]>([]);
  const [typingUsers, setTypingUsers] = useState<TypingUser[]>([]);
  const [readReceipts, setReadReceipts] = useState<Record<string, ReadMarker>>({});
  const [historyLoaded, setHistoryLoaded] = useState(false);
  const [nextBefore, setNextBefore] = useState<string | null>(null);
  const [error, setError] = useState<UseChatWebSocketResult['error']>(null);
  const [client, setClient] = useState<ChatWebSocket | null>(null);

  const clientRef = useRef<ChatWebSocket | null>(null);
  const messagesRef = useRef<ChatMessageData[]>([]);
  messagesRef.current = messages;
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;
  const typingSent = useRef<{ typing: boolean; at: number }>({ typing: false, at: 0 });
  const lastMarked = useRef<string | null>(null);

  const signedIn = Boolean(ctx.token);
  useEffect(() => {
    if (!enabled || !consultationId || !signedIn) return;
    const { api, register, token } = ctxRef.current;
    let disposed = false;
    const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
    setMessages([]);
    setTypingUsers([]);
    setReadReceipts({});
    setHistoryLoaded(false);
    setNextBefore(null);
    setError(null);
    lastMarked.current = null;
    typingSent.current = { typing: false, at: 0 };

    const loadHistory = async () => {
      try {
        const page = await api<HistoryPage>(
          `/api/consultations/${encodeURIComponent(consultationId)}/messages?limit=${historyPageSize}`,
        );
        if (disposed) return;
        setMessages((current) => merge(current, [...page.items].reverse()));
        setNextBefore((current) => current ?? page.next_before);
        setHistoryLoaded(true);
        // The history holds everything up to its newest message: a reconnect asks only for what follows.
        const newest = newestSeq(page.items);
        if (newest !== undefined) ws.advanceResumePoint(newest);
      } catch (failure) {
        if (!disposed) setError(failure instanceof Error ? failure : new Error(String(failure)));
      }
    };

    const ws = createChatWebSocket(
      consultationId,
      token,
      socketOptions(ctxRef.current, optionsRef.current.clientOptions),
    );
    clientRef.current = ws;
    setClient(ws);
    setState(ws.state);
    const unregister = register(ws);

    const stopTyping = (userId: string) => {
      clearTimeout(typingTimers.get(userId));
      typingTimers.delete(userId);
      setTypingUsers((current) => current.filter((user) => user.user_id !== userId));
    };

    ws.onStateChange(setState);
    let firstConnect = true;
    ws.onConnect(() => {
      // History fetched after the socket is live leaves no gap between the two. A reconnect resumes
      // from the client's resume point (replay, then REST pages); with none yet, the history is read again.
      if (firstConnect || (ws.resumePoint?.seq === undefined && !ws.resumePoint?.id)) void loadHistory();
      firstConnect = false;
    });
    ws.onDisconnect((info) => {
      if (!info.willReconnect && !info.byClient) setError(new Error(`chat connection closed (${info.code})`));
    });
    ws.on('chat_message', (frame) => {
      setMessages((current) => merge(current, [frame.data]));
      if (typingTimers.has(frame.data.sender_id)) stopTyping(frame.data.sender_id);
    });
    ws.on('typing_indicator', (frame) => {
      if (!frame.is_typing) return stopTyping(frame.user_id);
      clearTimeout(typingTimers.get(frame.user_id));
      typingTimers.set(
        frame.user_id,
        setTimeout(() => stopTyping(frame.user_id), optionsRef.current.typingTimeoutMs ?? typingTimeoutMs),
      );
      setTypingUsers((current) =>
        current.some((user) => user.user_id === frame.user_id)
          ? current
          : [...current, { user_id: frame.user_id, user_name: frame.user_name }],
      );
    });
    ws.on('read_receipt', (frame) => {
      setReadReceipts((current) => {
        const known = current[frame.user_id]?.seq;
        // A read marker never moves back, even if an older receipt arrives late.
        if (known !== undefined && frame.seq !== undefined && frame.seq <= known) return current;
        return {
          ...current,
          [frame.user_id]: { message_id: frame.message_id, read_at: frame.read_at, seq: frame.seq },
        };
      });
    });
    ws.on('error', (frame) => setError(frame));
    void loadHistory();

    return () => {
      disposed = true;
      unregister();
      ws.close();
      for (const timer of typingTimers.values()) clearTimeout(timer);
      if (clientRef.current === ws) clientRef.current = null;
      setClient((current) => (current === ws ? null : current));
    };
  }, [consultationId, enabled, signedIn, ctx.userId, ctx.wsBase, ctx.WebSocket, historyPageSize, typingTimeoutMs]);

  const sendTyping = useCallback(
    (isTyping = true) => {
      const ws = clientRef.current;
      if (!ws) return;
      const now = Date.now();
      const sent = typingSent.current;
      if (isTyping && sent.typing && now - sent.at < typingThrottleMs) return;
      if (!isTyping && !sent.typing) return;
      typingSent.current = { typing: isTyping, at: now };
      ws.send('typing', { is_typing: isTyping });
    },
    [typingThrottleMs],
  );

  const sendMessage = useCallback(
    (text: string) => {
      const ws = clientRef.current;
      const message = text.trim();
      if (!ws || !message) return null;
      if (typingSent.current.typing) sendTyping(false);
      return ws.send('chat_message', { message });
    },
    [sendTyping],
  );

  const markRead = useCallback((messageId?: string) => {
    const ws = clientRef.current;
    const list = messagesRef.current;
    const id = messageId ?? list[list.length - 1]?.id;
    if (!ws || !id || id === lastMarked.current) return;
    lastMarked.current = id;
    ws.send('read_receipt', { message_id: id });
  }, []);

  const loadOlder = useCallback(async () => {
    if (!consultationId || !nextBefore) return;
    const page = await ctxRef.current.api<HistoryPage>(
      `/api/consultations/${encodeURIComponent(consultationId)}/messages?limit=${historyPageSize}&before=${encodeURIComponent(nextBefore)}`,
    );
    setMessages((current) => merge(current, [...page.items].reverse()));
    setNextBefore(page.next_before);
  }, [consultationId, nextBefore, historyPageSize]);

  return {
    isConnected: state === 'open',
    state,
    messages,
    sendMessage,
    sendTyping,
    typingUsers,
    markRead,
    readReceipts,
    historyLoaded,
    hasMoreHistory: Boolean(nextBefore),
    loadOlder,
    error,
    client,
  };
}
