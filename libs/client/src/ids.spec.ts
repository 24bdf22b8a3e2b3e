import { createClientId } from './ids';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('createClientId', () => {
  it('returns distinct v4 UUIDs (≤ 64 chars, the protocol limit)', () => {
    const ids = new Set(Array.from({ length: 100 }, () => createClientId()));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(UUID);
  });

  it('falls back to getRandomValues where randomUUID is missing (plain-http pages)', () => {
    const original = globalThis.crypto;
    const getRandomValues = <T extends ArrayBufferView | null>(array: T) =>
      original.getRandomValues(array as never) as T;
    Object.defineProperty(globalThis, 'crypto', { value: { getRandomValues }, configurable: true });
    try {
      expect(createClientId()).toMatch(UUID);
    } finally {
      Object.defineProperty(globalThis, 'crypto', { value: original, configurable: true });
    }
  });
});
