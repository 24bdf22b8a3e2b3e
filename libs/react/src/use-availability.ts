import { useCallback, useState } from 'react';
import {
  createAvailabilityWebSocket,
  type AvailabilityStatus,
  type AvailabilityWebSocket,
  type AvailabilityWebSocketOptions,
  type AvailableNumerologist,
  type ConnectionState,
} from './sdk';
import { socketOptions } from './provider';
import { useUserSocket } from './user-socket';

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
  const [numerologists, setNumerologists] = useState<AvailableNumerologist[]>([]);
  const { client, state } = useUserSocket(options.enabled ?? true, (token, ctx) => {
    setNumerologists([]);
    const ws = createAvailabilityWebSocket(token, {
      ...socketOptions(ctx, options.clientOptions),
      maxPages: options.clientOptions?.maxPages,
    });
    // The session keeps the list (pages and changes); the hook mirrors it.
    ws.onListChange(setNumerologists);
    return ws;
  });
  const setStatus = useCallback((status: AvailabilityStatus) => client?.setStatus(status), [client]);
  return { numerologists, setStatus, isConnected: state === 'open', state, client };
}
