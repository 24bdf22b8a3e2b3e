import type { Endpoint, ServerFrameMap } from '@numerai/protocol';
import type { ConnectionState, NumerAIWebSocket } from '../../../libs/client/src';

/** The next frame of `type` (passing `predicate`) an SDK client hands its listeners. */
export function next<E extends Endpoint, T extends keyof ServerFrameMap>(
  client: NumerAIWebSocket<E>,
  type: T,
  predicate: (frame: ServerFrameMap[T]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<ServerFrameMap[T]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${type}`));
    }, timeoutMs);
    const off = (client as unknown as NumerAIWebSocket<'chat'>).on(type as never, (frame: ServerFrameMap[T]) => {
      if (!predicate(frame)) return;
      clearTimeout(timer);
      off();
      resolve(frame);
    });
  });
}

/** Resolves once the client is connected; rejects if it closes for good first. */
export function connected(client: NumerAIWebSocket<Endpoint>): Promise<void> {
  if (client.state === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const offConnect = client.onConnect(() => {
      offConnect();
      offDisconnect();
      resolve();
    });
    const offDisconnect = client.onDisconnect((info) => {
      if (info.willReconnect) return;
      offConnect();
      offDisconnect();
      reject(new Error(`closed with ${info.code} before connecting`));
    });
  });
}

/**
 * Every state the client enters from now on. A retry is only ever scheduled from `reconnecting`
 * (the state machine in libs/client/src/types.ts), and `closed` schedules nothing (the unit tests
 * in websocket-client.spec.ts run fake timers far past every backoff to show it): a trail that
 * reaches `closed` without passing `reconnecting` is a client that will not try again. A fact to
 * read at once, where waiting "several backoff periods" could only guess.
 */
export function stateTrail(client: NumerAIWebSocket<Endpoint>): ConnectionState[] {
  const trail: ConnectionState[] = [];
  client.onStateChange((state) => trail.push(state));
  return trail;
}
