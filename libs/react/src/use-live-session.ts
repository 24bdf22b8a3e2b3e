import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, socketOptions, useNumerAI } from './provider';
import {
  createChatWebSocket,
  type ChatWebSocket,
  type LiveSessionData,
  type ServerFrameMap,
  type WebSocketClientOptions,
} from './sdk';

export interface UseLiveSessionOptions {
  /** Connect only while true. Default true. */
  enabled?: boolean;
  /**
   * The consultation's chat socket, e.g. `useChatWebSocket(id).client`: its `session_state` and
   * `low_balance` frames are read from it. Without one the hook opens a chat socket of its own.
   */
  chat?: ChatWebSocket | null;
  /** How often the countdown moves, in milliseconds. Default 1000. */
  tickMs?: number;
  /** Options for the hook's own socket, on top of the provider's `clientOptions`. */
  clientOptions?: Omit<WebSocketClientOptions, 'baseUrl' | 'WebSocket' | 'getToken' | 'autoConnect'>;
}

export interface UseLiveSessionResult {
  /** The consultation's newest live session as the server last described it; null when it never had one. */
  session: LiveSessionData | null;
  /**
   * Seconds until the session ends by itself at the current balance, counted down here from the
   * server's last word (its clock is the session's; this only moves the display between frames).
   */
  secondsLeft: number;
  /** Seconds of the current minute already paid for, counted down the same way. */
  secondsPaid: number;
  /** The server's warning that two minutes or less are left, until a top-up lifts it or the session ends. */
  lowBalance: Omit<ServerFrameMap['low_balance'], 'type'> | null;
  /** The client asks for a session (POST /api/consultations/:id/session). */
  request(): Promise<void>;
  /** The numerologist accepts the pending request. */
  accept(): Promise<void>;
  /** Either side ends it (a pending request is withdrawn or declined). */
  end(): Promise<void>;
  /** The last REST call's failure, if it failed. */
  error: ApiError | Error | null;
}

/** Where the countdown stood when the server last spoke, and when (by this device's clock). */
interface Anchor {
  session: LiveSessionData;
  receivedAt: number;
}

/**
 * A consultation's live per-minute session: its state from the server (`session_state` frames on
 * the chat socket — an open session's state also right as the socket opens — and GET
 * /api/consultations/:id/session on every (re)connection, which also gives the summary of one that
 * ended while away, since frames sent meanwhile are not replayed), a countdown between frames, the
 * low-balance warning, and the actions.
 *
 * ```tsx
 * const chat = useChatWebSocket(consultationId);
 * const { session, secondsLeft, lowBalance, request, end } = useLiveSession(consultationId, { chat: chat.client });
 * ```
 */
export function useLiveSession(
  consultationId: string | null | undefined,
  options: UseLiveSessionOptions = {},
): UseLiveSessionResult {
  const ctx = useNumerAI();
  const { enabled = true, chat, tickMs = 1000 } = options;
  const [anchor, setAnchor] = useState<Anchor | null>(null);
  const [lowBalance, setLowBalance] = useState<UseLiveSessionResult['lowBalance']>(null);
  const [error, setError] = useState<UseLiveSessionResult['error']>(null);
  const [now, setNow] = useState(() => Date.now());
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const path = consultationId ? `/api/consultations/${encodeURIComponent(consultationId)}/session` : null;

  const anchorRef = useRef<Anchor | null>(null);
  const adopt = useCallback((session: LiveSessionData | null) => {
    const previous = anchorRef.current;
    const next = session ? { session, receivedAt: Date.now() } : null;
    anchorRef.current = next;
    setAnchor(next);
    // The warning stands until the session is over or a top-up lifts it: more time left than the
    // last word minus what has run since (a second of slack for rounding).
    const lifted =
      previous &&
      session &&
      session.seconds_left > remaining(previous, Date.now()) + 1 &&
      previous.session.session_id === session.session_id;
    if (!session || session.status !== 'active' || lifted) setLowBalance(null);
  }, []);

  const signedIn = Boolean(ctx.token);
  // Given a chat socket (even one not created yet: null), the hook waits for it rather than open its own.
  const external = 'chat' in options;
  useEffect(() => {
    if (!enabled || !path || !consultationId || !signedIn || (external && !chat)) return;
    const { api, register, token } = ctxRef.current;
    let disposed = false;
    const load = async () => {
      try {
        const session = await api<LiveSessionData>(path);
        if (!disposed) adopt(session);
      } catch (failure) {
        if (disposed) return;
        if (failure instanceof ApiError && failure.status === 404) adopt(null);
        else setError(failure instanceof Error ? failure : new Error(String(failure)));
      }
    };
    const own = chat
      ? null
      : createChatWebSocket(consultationId, token, socketOptions(ctxRef.current, optionsRef.current.clientOptions));
    const ws = chat ?? own!;
    const unregister = own ? register(own) : () => undefined;
    const stops = [
      ws.onConnect(() => void load()),
      ws.on('session_state', (frame) => adopt(frame.data)),
      ws.on('low_balance', ({ type: _type, ...warning }) => setLowBalance(warning)),
    ];
    if (ws.isConnected) void load();
    return () => {
      disposed = true;
      for (const stop of stops) stop();
      unregister();
      own?.close();
    };
  }, [enabled, path, consultationId, signedIn, external, chat, adopt]);

  const running = anchor?.session.status === 'active';
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), tickMs);
    return () => clearInterval(timer);
  }, [running, tickMs]);

  const act = useCallback(
    async (suffix: string) => {
      if (!path) return;
      try {
        setError(null);
        adopt(await ctxRef.current.api<LiveSessionData>(`${path}${suffix}`, { method: 'POST' }));
      } catch (failure) {
        setError(failure instanceof Error ? failure : new Error(String(failure)));
      }
    },
    [path, adopt],
  );

  return {
    session: anchor?.session ?? null,
    secondsLeft: anchor ? remaining(anchor, now) : 0,
    secondsPaid: anchor ? Math.max(0, anchor.session.seconds_paid - elapsedSeconds(anchor, now)) : 0,
    lowBalance,
    request: useCallback(() => act(''), [act]),
    accept: useCallback(() => act('/accept'), [act]),
    end: useCallback(() => act('/end'), [act]),
    error,
  };
}

/** Whole seconds since the server last spoke, while the session runs (its clock stands still otherwise). */
function elapsedSeconds(anchor: Anchor, now: number): number {
  return anchor.session.status === 'active' ? Math.max(0, Math.floor((now - anchor.receivedAt) / 1000)) : 0;
}

function remaining(anchor: Anchor, now: number): number {
  return Math.max(0, anchor.session.seconds_left - elapsedSeconds(anchor, now));
}
