import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseDuration } from './config';

const SECRET = 'x'.repeat(32);

/** Each test's DATA_DIR (the generated secret and Web Push keys land there), removed after it. */
let dataDir: string;
beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'numerai-config-'))));
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));
/** loadConfig on the test's own DATA_DIR, never ./data. */
const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: dataDir, ...env });

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = load({ JWT_SECRET: SECRET });
    expect(config.port).toBe(8000);
    expect(config.database.kind).toBe('sqlite');
    expect(config.databaseConnectTimeoutMs).toBe(5000);
    expect(config.jwt.expiresInSeconds).toBe(3600);
    expect(config.jwt.refreshExpiresInSeconds).toBe(30 * 86400);
    expect(load({ JWT_SECRET: SECRET, REFRESH_TOKEN_EXPIRES_IN: '12h' }).jwt.refreshExpiresInSeconds).toBe(43_200);
    expect(config.rateLimit).toMatchObject({ perMinute: 300, authPerMinute: 10 });
    expect(config.ws).toMatchObject({ pingIntervalMs: 25_000, idleTimeoutMs: 60_000, maxConnectionsPerUser: 20 });
  });

  it('schedules daily readings at 07:00 local and reminders 15 minutes ahead by default; checks their ranges', () => {
    expect(load({ JWT_SECRET: SECRET }).schedule).toEqual({
      dailyReadingHour: 7,
      reminderMinutes: 15,
      tickMs: 30_000,
    });
    expect(() => load({ JWT_SECRET: SECRET, DAILY_READING_HOUR: '24' })).toThrow(/DAILY_READING_HOUR/);
    expect(() => load({ JWT_SECRET: SECRET, CONSULTATION_REMINDER_MINUTES: '0' })).toThrow(
      /CONSULTATION_REMINDER_MINUTES/,
    );
    expect(() => load({ JWT_SECRET: SECRET, SCHEDULER_TICK_MS: '5' })).toThrow(/SCHEDULER_TICK_MS/);
  });

  it('wallets: USD, no webhook secret and rates of 1–100000 minor units by default; checks each setting', () => {
    expect(load({ JWT_SECRET: SECRET }).wallet).toEqual({
      currency: 'USD',
      stripeWebhookSecret: undefined,
      rateMinMinor: 1,
      rateMaxMinor: 100_000,
    });
    const set = load({ JWT_SECRET: SECRET, WALLET_CURRENCY: 'EUR', STRIPE_WEBHOOK_SECRET: 'whsec_abc' });
    expect(set.wallet).toMatchObject({ currency: 'EUR', stripeWebhookSecret: 'whsec_abc' });
    expect(() => load({ JWT_SECRET: SECRET, WALLET_CURRENCY: 'usd' })).toThrow(/WALLET_CURRENCY/);
    expect(() => load({ JWT_SECRET: SECRET, STRIPE_WEBHOOK_SECRET: 'sk_live_x' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
    expect(() => load({ JWT_SECRET: SECRET, WALLET_RATE_MIN_MINOR: '0' })).toThrow(/WALLET_RATE_MIN_MINOR/);
    expect(() => load({ JWT_SECRET: SECRET, WALLET_RATE_MIN_MINOR: '500', WALLET_RATE_MAX_MINOR: '100' })).toThrow(
      /WALLET_RATE_MAX_MINOR must be at least/,
    );
  });

  it('live sessions: a ½-second clock, 60-second minutes and accept window, a 30-second pause rule by default', () => {
    expect(load({ JWT_SECRET: SECRET }).liveSessions).toEqual({
      tickMs: 500,
      minuteMs: 60_000,
      acceptMs: 60_000,
      pauseAfterMs: 30_000,
      maxPauseMs: 300_000,
      freeMinutes: 0,
      commissionPercent: 20,
    });
    // The end must be on time to ±2 s: the clock may not tick slower than once a second.
    expect(() => load({ JWT_SECRET: SECRET, LIVE_SESSION_TICK_MS: '2000' })).toThrow(/LIVE_SESSION_TICK_MS/);
    expect(() => load({ JWT_SECRET: SECRET, LIVE_SESSION_COMMISSION_PERCENT: '101' })).toThrow(
      /LIVE_SESSION_COMMISSION_PERCENT/,
    );
  });

  it('reads REDIS_CLUSTER_NODES as host:port seed nodes and refuses anything else', () => {
    expect(load({ JWT_SECRET: SECRET }).redisClusterNodes).toBeUndefined();
    expect(load({ JWT_SECRET: SECRET, REDIS_CLUSTER_NODES: 'a:7000, 10.0.0.2:7001' }).redisClusterNodes).toEqual([
      { host: 'a', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ]);
    expect(() => load({ JWT_SECRET: SECRET, REDIS_CLUSTER_NODES: 'redis://a:7000' })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => load({ JWT_SECRET: SECRET, REDIS_CLUSTER_NODES: 'a:70000' })).toThrow(/REDIS_CLUSTER_NODES/);
  });

  it('reads REDIS_CLUSTER_NAT_MAP as announced address → dialled address and refuses anything else', () => {
    expect(loadConfig({ JWT_SECRET: SECRET }).redisClusterNatMap).toBeUndefined();
    expect(
      loadConfig({ JWT_SECRET: SECRET, REDIS_CLUSTER_NAT_MAP: '127.0.0.1:7000=127.0.0.1:17000, b:7001=c:1' })
        .redisClusterNatMap,
    ).toEqual({ '127.0.0.1:7000': { host: '127.0.0.1', port: 17000 }, 'b:7001': { host: 'c', port: 1 } });
    expect(() => loadConfig({ JWT_SECRET: SECRET, REDIS_CLUSTER_NAT_MAP: 'a:7000' })).toThrow(/REDIS_CLUSTER_NAT_MAP/);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      load({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        JWT_SECRET: 'short',
        REFRESH_TOKEN_EXPIRES_IN: 'forever',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'JWT_SECRET', 'REFRESH_TOKEN_EXPIRES_IN']) {
      expect(message).toContain(name);
    }
  });

  it('generates and keeps a development secret when JWT_SECRET is unset, and says so', () => {
    const first = load({});
    expect(first.jwt.generated).toBe(true);
    expect(first.warnings.join(' ')).toContain('JWT_SECRET');
    expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8')).toBe(first.jwt.secret);
    expect(load({}).jwt.secret).toBe(first.jwt.secret);
  });
});

describe('parseDuration', () => {
  it.each([
    ['900', 900],
    ['15m', 900],
    ['1h', 3600],
    ['7d', 604800],
    ['0', undefined],
    ['1w', undefined],
    ['soon', undefined],
  ])('%s → %s', (input, seconds) => expect(parseDuration(input)).toBe(seconds));
});
