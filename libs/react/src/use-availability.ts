import { useCallback, useEffect, useRef, useState } from 'react';
import {
  createAvailabilityWebSocket,
  type AvailabilityStatus,
  type AvailabilityWebSocket,
  type AvailabilityWebSocketOptions,
  type AvailableNumerologist,
  type ConnectionState,
} from './sdk';
import { socketOptions, useNumerAI } from './provider';

export interface UseAvailabilityOptions {
  /** Connect only while true. Default true. */
  enabled?: boolean;
  /** Options for this socket, on top of the provider's `clientOptions`. */
  clientOptions?: Omit<AvailabilityWebSocketOptions, 'baseUrl' | 'WebSocket' | 'getToken' | 'autoConnect'>;
}

export interface UseAvailabilityResult {
  /** The numerologists available for a live session now, by id, with their per-minute rates. */
  numerologists: AvailableNumerologist[];
  /** Numerologists only: become available, busy or offline (the server answers `availability_set`). */
  setStatus(status: AvailabilityStatus): void;
  isConnected: boolean;
  state: ConnectionState;
  client: AvailabilityWebSocket | null;
}

/** Who is available for a live session now, kept live over `/ws/availability/` (the public listing). */
export function useAvailability(options: UseAvailabilityOptions = {}): UseAvailabilityResult {
  const ctx = useNumerAI();
  const { enabled = true } = options;
  const [numerologists, setNumerologists] = useState<AvailableNumerologist[]>([]);
  const [state, setState] = useState<ConnectionState>('idle');
  const [client, setClient] = useState<AvailabilityWebSocket | null>(null);
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;
  const optionsRef = useRef(options);
  optionsRef.current = options;

  const signedIn = Boolean(ctx.token);
  useEffect(() => {
    if (!enabled || !signedIn) return;
    const { register, token } = ctxRef.current;
    setNumerologists([]);
    const ws = createAvailabilityWebSocket(token, {
      ...socketOptions(ctxRef.current, optionsRef.current.clientOptions),
      maxPages: optionsRef.current.clientOptions?.maxPages,
    });
    setClient(ws);
    setState(ws.state);
    const unregister = register(ws);
    ws.onStateChange(setState);
    // The session keeps the list (pages and changes); the hook mirrors it.
    ws.onListChange(setNumerologists);
    return () => {
      unregister();
      ws.close();
      setClient((current) => (current === ws ? null : current));
    };
  }, [enabled, signedIn, ctx.userId, ctx.wsBase, ctx.WebSocket]);

  const setStatus = useCallback((status: AvailabilityStatus) => client?.setStatus(status), [client]);
  return { numerologists, setStatus, isConnected: state === 'open', state, client };
}
