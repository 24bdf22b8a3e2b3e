import type { AppConfig } from '@numerai/config';
import type { ClientConnection } from './client-connection';
import type { ConnectionRegistry } from './connection-registry';
import { KeepAlive, KeepAliveVerdict } from './keep-alive';

const ws = { pingIntervalMs: 25_000, idleTimeoutMs: 60_000 } as AppConfig['ws'];

function connection(overrides: Partial<ClientConnection>): ClientConnection & { pings: number } {
  const fake = {
    pings: 0,
    expiresAt: Number.MAX_SAFE_INTEGER,
    lastActivityMs: 0,
    lastPingMs: 0,
    isOpen: true,
    socket: { ping: () => fake.pings++ },
    ...overrides,
  };
  return fake as unknown as ClientConnection & { pings: number };
}

function run(connections: ClientConnection[], now: number) {
  const ended: [ClientConnection, KeepAliveVerdict][] = [];
  const registry = { all: () => new Set(connections) } as unknown as ConnectionRegistry;
  new KeepAlive(registry, ws, (c, verdict) => ended.push([c, verdict])).tick(now);
  return ended;
}

describe('KeepAlive.tick', () => {
  it('ends a connection whose token expired, before anything else', () => {
    const expired = connection({ expiresAt: 100, lastActivityMs: 0 });
    expect(run([expired], 100_000)).toEqual([[expired, 'expired']]);
  });

  it('ends a connection silent for the idle timeout', () => {
    const idle = connection({ lastActivityMs: 40_000, lastPingMs: 90_000 });
    expect(run([idle], 100_000)).toEqual([[idle, 'idle']]);
    const recent = connection({ lastActivityMs: 40_001, lastPingMs: 90_000 });
    expect(run([recent], 100_000)).toEqual([]);
  });

  it('pings once per interval', () => {
    const due = connection({ lastActivityMs: 99_000, lastPingMs: 75_000 });
    const notDue = connection({ lastActivityMs: 99_000, lastPingMs: 75_001 });
    run([due, notDue], 100_000);
    expect([due.pings, notDue.pings]).toEqual([1, 0]);
    expect(due.lastPingMs).toBe(100_000);
  });
});
