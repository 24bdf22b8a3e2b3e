import { useEffect, useRef, useState } from 'react';
import type { ConnectionState, Unsubscribe } from './sdk';
import { type NumerAIContextValue, useNumerAI } from './provider';

/** What the helper needs of a session: its state, token renewal and close. */
interface UserSocket {
  readonly state: ConnectionState;
  onStateChange(cb: (state: ConnectionState) => void): Unsubscribe;
  updateToken(token: string): void;
  close(): void;
}

/**
 * The socket of a hook that depends on the signed-in user alone (presence, availability): opened
 * while `enabled` and signed in, registered with the provider so a new token reaches it in-band,
 * closed on unmount, on sign-out and when another user signs in. `open` creates it (with
 * `socketOptions(ctx, …)`) and wires its frames to the hook's state, which it resets first.
 */
export function useUserSocket<S extends UserSocket>(
  enabled: boolean,
  open: (token: string | null, ctx: NumerAIContextValue) => S,
): { client: S | null; state: ConnectionState } {
  const ctx = useNumerAI();
  const [state, setState] = useState<ConnectionState>('idle');
  const [client, setClient] = useState<S | null>(null);
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;
  const openRef = useRef(open);
  openRef.current = open;

  const signedIn = Boolean(ctx.token);
  useEffect(() => {
    if (!enabled || !signedIn) return;
    const { register, token } = ctxRef.current;
    const ws = openRef.current(token, ctxRef.current);
    setClient(ws);
    setState(ws.state);
    const unregister = register(ws);
    ws.onStateChange(setState);
    return () => {
      unregister();
      ws.close();
      setClient((current) => (current === ws ? null : current));
    };
  }, [enabled, signedIn, ctx.userId, ctx.wsBase, ctx.WebSocket]);
  return { client, state };
}
