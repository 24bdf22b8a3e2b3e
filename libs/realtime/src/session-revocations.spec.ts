import { InProcessEventBus } from '@numerai/events';
import { captureLogs } from '@numerai/logging';
import { ClientConnection, SocketWithConnection } from './client-connection';
import { ConnectionRegistry } from './connection-registry';
import { SessionRevocations } from './session-revocations';

function connection(id: string, userId: string, sid: string): ClientConnection {
  const socket = { readyState: 1, bufferedAmount: 0 } as unknown as SocketWithConnection;
  const user = { id: userId, name: userId, role: 'user' as const, exp: 2e9, sid };
  return new ClientConnection(id, socket, 'chat', user, `room-${id}`, undefined, Date.now());
}

describe('SessionRevocations', () => {
  function setup() {
    const bus = new InProcessEventBus(captureLogs().loggers);
    const registry = new ConnectionRegistry();
    const revocations = new SessionRevocations(bus, registry);
    revocations.onModuleInit();
    const ended: string[] = [];
    revocations.onEnded((c) => {
      ended.push(c.id);
      registry.remove(c);
    });
    return { bus, registry, revocations, ended };
  }

  it('ends exactly the connections of the revoked sessions of that user', () => {
    const { bus, registry, revocations, ended } = setup();
    for (const c of [
      connection('a1', 'alice', 's1'),
      connection('a2', 'alice', 's1'),
      connection('a3', 'alice', 's2'),
      connection('b1', 'bob', 's1'),
    ]) {
      registry.add(c);
    }
    bus.publish('session.revoked', { user_id: 'alice', session_ids: ['s1'] });
    expect(ended).toEqual(['a1', 'a2']);
    expect(revocations.wasRevoked('s1')).toBe(true);
    expect(revocations.wasRevoked('s2')).toBe(false);
  });

  it('remembers revoked ids without bound only up to its limit: the oldest are forgotten first', () => {
    const { bus, revocations } = setup();
    const many = Array.from({ length: 100_000 }, (_, i) => `old-${i}`);
    for (let i = 0; i < many.length; i += 1000) {
      bus.publish('session.revoked', { user_id: 'u', session_ids: many.slice(i, i + 1000) });
    }
    bus.publish('session.revoked', { user_id: 'u', session_ids: ['new'] });
    expect(revocations.wasRevoked('new')).toBe(true);
    expect(revocations.wasRevoked('old-0')).toBe(false);
    expect(revocations.wasRevoked('old-99999')).toBe(true);
  });
});
