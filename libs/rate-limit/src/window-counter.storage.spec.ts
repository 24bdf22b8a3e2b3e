import { WindowCounterStorage } from './window-counter.storage';

describe('WindowCounterStorage', () => {
  afterEach(() => jest.useRealTimers());

  it('allows `limit` hits per window, then blocks for the block duration, then allows again', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const storage = new WindowCounterStorage();
    for (let i = 1; i <= 3; i++)
      expect((await storage.increment('k', 60_000, 3, 60_000, 'user')).isBlocked).toBe(false);
    const blocked = await storage.increment('k', 60_000, 3, 60_000, 'user');
    expect(blocked).toMatchObject({ isBlocked: true, timeToBlockExpire: 60 });
    jest.setSystemTime(1_000_000 + 30_000);
    expect(await storage.increment('k', 60_000, 3, 60_000, 'user')).toMatchObject({
      isBlocked: true,
      timeToBlockExpire: 30,
    });
    jest.setSystemTime(1_000_000 + 60_001);
    expect((await storage.increment('k', 60_000, 3, 60_000, 'user')).isBlocked).toBe(false);
  });

  it('keeps keys apart', async () => {
    const storage = new WindowCounterStorage();
    await storage.increment('a', 60_000, 1, 60_000, 'user');
    expect((await storage.increment('a', 60_000, 1, 60_000, 'user')).isBlocked).toBe(true);
    expect((await storage.increment('b', 60_000, 1, 60_000, 'user')).isBlocked).toBe(false);
  });
});
