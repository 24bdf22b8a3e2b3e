import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { flag, loadPushConfig, PushConfig } from './push-config';

/** Every setting the backend reads, resolved once at start-up. Nothing else reads `process.env`. */
export interface RedisNode {
  host: string;
  port: number;
}

export class AppConfig {
  port!: number;
  dataDir!: string;
  database!: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };
  /** How long start-up (server and CLI) keeps retrying a database that does not answer before giving up. */
  databaseConnectTimeoutMs!: number;
  redisUrl!: string | undefined;
  /**
   * REDIS_CLUSTER_NODES (`host:port,host:port,…`): the scale-out connections use this Redis
   * Cluster instead of REDIS_URL (a few seed nodes are enough; the rest are discovered).
   */
  redisClusterNodes!: RedisNode[] | undefined;
  /**
   * REDIS_CLUSTER_NAT_MAP (`host:port=host:port,…`, test-only): the address a cluster node
   * announces → the address this instance dials instead. The nemesis run (test/nemesis) puts a
   * TCP proxy of its own between each instance and each node; the nodes still announce their
   * real ports, so the instance must be told to go through its proxies.
   */
  redisClusterNatMap!: Record<string, RedisNode> | undefined;
  /** Namespaces every Redis key and channel, so instances of separate deployments (or tests) never meet. */
  redisKeyPrefix!: string;
  jwt!: {
    secret: string;
    expiresInSeconds: number;
    /** Lifetime of each refresh token (rotated on use, so an active session lives on). */
    refreshExpiresInSeconds: number;
    /**
     * How long a just-rotated refresh token still answers with the successor it got (two
     * refreshes at once are not a theft); 0 = none. Measured by the database's clock.
     */
    refreshReuseGraceMs: number;
    generated: boolean;
  };
  logLevel!: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  corsOrigins!: string[];
  /**
   * Which proxies' X-Forwarded-For to believe when telling client IPs apart (per-IP limits):
   * a hop count, or addresses/CIDRs/names such as `loopback`. Express's `trust proxy` format.
   */
  trustProxy!: number | string[];
  rateLimit!: { perMinute: number; authPerMinute: number; windowMs: number };
  ws!: {
    pingIntervalMs: number;
    idleTimeoutMs: number;
    maxConnectionsPerUser: number;
    maxPayloadBytes: number;
    maxBufferedBytes: number;
    typingTimeoutMs: number;
    upgradesPerMinutePerIp: number;
  };
  presence!: { graceMs: number; instanceTtlMs: number };
  /** Most messages (or notifications) one catch-up replay sends before `replay_complete` with `has_more`. */
  replayMax!: number;
  /**
   * Open (scheduled/active) consultations one client may hold at once: a cap on whose presence they can see.
   * And bookings one client may make with one numerologist in any hour: each notifies the numerologist.
   */
  consultations!: { maxOpenPerClient: number; bookingsPerPairPerHour: number };
  http!: {
    /** Largest JSON body accepted, except on the admin broadcast route. */
    bodyLimitBytes: number;
    /** Largest JSON body of the admin broadcast (up to 10,000 user ids). */
    broadcastBodyLimitBytes: number;
    /** Deepest nesting of arrays/objects accepted in a JSON body, checked before it is parsed. */
    maxJsonDepth: number;
    /** Open TCP connections per client address, counted from accept (0: no cap). */
    maxConnectionsPerIp: number;
    /** How long a connection may take to send its request headers (an upgrade included). */
    headersTimeoutMs: number;
  };
  /** Where `/metrics` is served: its own listener (port), or the public one behind a bearer token. */
  metrics!: { port: number | undefined; host: string; token: string | undefined };
  shutdownTimeoutMs!: number;
  /**
   * Scheduled work (daily readings, reminders): `tickMs` is how often each job looks for
   * what is due, so a notification goes out at most about that late.
   */
  schedule!: { dailyReadingHour: number; reminderMinutes: number; tickMs: number };
  /** Web Push: VAPID keys, the grace before a push, retries, the per-user cap (see push-config.ts). */
  push!: PushConfig;
  /**
   * Wallets and rates (issue 28): every amount is integer minor units of `currency` (ISO 4217);
   * a numerologist's per-minute rate lies in [rateMinMinor, rateMaxMinor]. Payment-provider
   * webhooks are refused (503) while `stripeWebhookSecret` is unset.
   */
  wallet!: { currency: string; stripeWebhookSecret: string | undefined; rateMinMinor: number; rateMaxMinor: number };
  /**
   * `/ws/availability/` (the public listing of available numerologists): at most
   * `maxSubscribers` of its sockets per instance, so one public room cannot take every slot.
   */
  availability!: { maxSubscribers: number };
  /**
   * The demo page's helpers that must never run in production: `topUps` lets any signed-in user
   * top their own wallet up with a payment event this server signs itself (POST /api/demo/top-up).
   */
  demo!: { topUps: boolean };
  /**
   * Live per-minute sessions (libs/live-sessions): `tickMs` is how often the session clock job
   * looks for due minutes (the end is that late at most); `minuteMs` is a billed minute (60 s;
   * shorter only for tests); a request lapses after `acceptMs`; the numerologist away longer
   * than `pauseAfterMs` pauses the clock, and a pause longer than `maxPauseMs` ends the session;
   * `freeMinutes` are free in a client's first session; `commissionPercent` of each minute is
   * the platform's, the rest the numerologist's.
   */
  liveSessions!: {
    tickMs: number;
    minuteMs: number;
    acceptMs: number;
    pauseAfterMs: number;
    maxPauseMs: number;
    freeMinutes: number;
    commissionPercent: number;
  };
  /** Notes for the operator that the logger prints once it exists (e.g. a generated JWT secret). */
  warnings!: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads and validates the environment; throws one ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const warnings: string[] = [];

  const int = (name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };

  const port = int('PORT', 8000, 0, 65535);
  const dataDir = resolve(env.DATA_DIR || './data');

  let database: AppConfig['database'] = { kind: 'sqlite', path: join(dataDir, 'numerai.sqlite') };
  if (env.DATABASE_URL) {
    if (!/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) {
      problems.push('DATABASE_URL must start with postgres:// or postgresql://');
    } else {
      database = { kind: 'postgres', url: env.DATABASE_URL };
    }
  } else if (env.SQLITE_PATH) {
    database = { kind: 'sqlite', path: resolve(env.SQLITE_PATH) };
  }

  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push('REDIS_URL must start with redis:// or rediss://');
  }

  let redisClusterNodes: RedisNode[] | undefined;
  if (env.REDIS_CLUSTER_NODES) {
    redisClusterNodes = [];
    for (const entry of env.REDIS_CLUSTER_NODES.split(',')
      .map((part) => part.trim())
      .filter(Boolean)) {
      const match = /^([^:\s]+):(\d{1,5})$/.exec(entry);
      if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
        problems.push(`REDIS_CLUSTER_NODES must be host:port pairs separated by commas (got "${entry}")`);
      } else {
        redisClusterNodes.push({ host: match[1], port: Number(match[2]) });
      }
    }
    if (redisClusterNodes.length === 0) problems.push('REDIS_CLUSTER_NODES names no node');
  }

  let redisClusterNatMap: Record<string, RedisNode> | undefined;
  if (env.REDIS_CLUSTER_NAT_MAP) {
    redisClusterNatMap = {};
    for (const entry of env.REDIS_CLUSTER_NAT_MAP.split(',')
      .map((part) => part.trim())
      .filter(Boolean)) {
      const match = /^([^:\s=]+:\d{1,5})=([^:\s=]+):(\d{1,5})$/.exec(entry);
      if (!match) {
        problems.push(`REDIS_CLUSTER_NAT_MAP must be host:port=host:port pairs separated by commas (got "${entry}")`);
      } else {
        redisClusterNatMap[match[1]] = { host: match[2], port: Number(match[3]) };
      }
    }
  }

  const expiresInSeconds = parseDuration(env.JWT_EXPIRES_IN ?? '1h');
  if (expiresInSeconds === undefined) {
    problems.push(`JWT_EXPIRES_IN must be a duration such as 900, 15m, 1h or 7d (got "${env.JWT_EXPIRES_IN}")`);
  }

  const refreshExpiresInSeconds = parseDuration(env.REFRESH_TOKEN_EXPIRES_IN ?? '30d');
  if (refreshExpiresInSeconds === undefined) {
    problems.push(
      `REFRESH_TOKEN_EXPIRES_IN must be a duration such as 3600, 12h or 30d (got "${env.REFRESH_TOKEN_EXPIRES_IN}")`,
    );
  }

  let secret = env.JWT_SECRET ?? '';
  let generated = false;
  if (secret && secret.length < 32) {
    problems.push('JWT_SECRET must be at least 32 characters long');
  } else if (!secret && problems.length === 0) {
    secret = developmentSecret(dataDir);
    generated = true;
    warnings.push(
      `JWT_SECRET is not set: using a generated development secret kept in ${join(dataDir, 'jwt-secret')}. ` +
        'Set JWT_SECRET in production; every instance must share it.',
    );
  }

  const logLevel = (env.LOG_LEVEL || 'info') as AppConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.LOG_LEVEL}")`);
  }

  const corsOrigins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/]+$/.test(origin)) {
      problems.push(`CORS_ORIGINS entries must look like https://host[:port] (got "${origin}")`);
    }
  }

  const trustRaw = (env.TRUST_PROXY || 'loopback').trim();
  if (!/^[\w.:/, -]+$/.test(trustRaw)) {
    problems.push(
      `TRUST_PROXY must be loopback, uniquelocal, IPs/CIDRs separated by commas, or a hop count (got "${trustRaw}")`,
    );
  }
  const trustProxy = /^\d+$/.test(trustRaw) ? Number(trustRaw) : trustRaw.split(',').map((part) => part.trim());

  const metricsPort = env.METRICS_PORT ? int('METRICS_PORT', 0, 0, 65535) : undefined;
  const metricsToken = env.METRICS_TOKEN || undefined;
  if (metricsToken && metricsToken.length < 16) problems.push('METRICS_TOKEN must be at least 16 characters long');

  const push = loadPushConfig(env, dataDir, int, problems, warnings);
  const demoTopUps = flag(env, 'DEMO_TOP_UPS', problems);
  if (demoTopUps) {
    warnings.push(
      'DEMO_TOP_UPS=true: any signed-in user can top their own wallet up with a payment event this server signs ' +
        'with STRIPE_WEBHOOK_SECRET (POST /api/demo/top-up). For the demo only: never set it in production.',
    );
  }

  const currency = env.WALLET_CURRENCY || 'USD';
  if (!/^[A-Z]{3}$/.test(currency))
    problems.push(`WALLET_CURRENCY must be an ISO 4217 code such as USD (got "${currency}")`);
  const stripeWebhookSecret = env.STRIPE_WEBHOOK_SECRET || undefined;
  if (stripeWebhookSecret && !stripeWebhookSecret.startsWith('whsec_')) {
    problems.push('STRIPE_WEBHOOK_SECRET must be a Stripe endpoint secret (whsec_…)');
  }
  const rateMinMinor = int('WALLET_RATE_MIN_MINOR', 1, 1, 1_000_000_000);
  const rateMaxMinor = int('WALLET_RATE_MAX_MINOR', 100_000, 1, 1_000_000_000);
  if (rateMaxMinor < rateMinMinor) problems.push('WALLET_RATE_MAX_MINOR must be at least WALLET_RATE_MIN_MINOR');

  const config: AppConfig = {
    port,
    dataDir,
    database,
    databaseConnectTimeoutMs: int('DATABASE_CONNECT_TIMEOUT_MS', 5000, 0, 300_000),
    redisUrl,
    redisClusterNodes,
    redisClusterNatMap,
    redisKeyPrefix: env.REDIS_KEY_PREFIX || 'numerai',
    jwt: {
      secret,
      expiresInSeconds: expiresInSeconds ?? 3600,
      refreshExpiresInSeconds: refreshExpiresInSeconds ?? 30 * 86400,
      refreshReuseGraceMs: int('REFRESH_TOKEN_REUSE_GRACE_MS', 10_000, 0, 60_000),
      generated,
    },
    logLevel,
    corsOrigins,
    trustProxy,
    rateLimit: {
      perMinute: int('RATE_LIMIT_PER_MINUTE', 300, 1),
      authPerMinute: int('AUTH_RATE_LIMIT_PER_MINUTE', 10, 1),
      windowMs: int('RATE_LIMIT_WINDOW_MS', 60_000, 1000),
    },
    ws: {
      pingIntervalMs: int('WS_PING_INTERVAL_MS', 25_000, 100),
      idleTimeoutMs: int('WS_IDLE_TIMEOUT_MS', 60_000, 200),
      maxConnectionsPerUser: int('WS_MAX_CONNECTIONS_PER_USER', 20, 1),
      maxPayloadBytes: int('WS_MAX_PAYLOAD_BYTES', 64 * 1024, 1024),
      maxBufferedBytes: int('WS_MAX_BUFFERED_BYTES', 1024 * 1024, 1024),
      typingTimeoutMs: int('WS_TYPING_TIMEOUT_MS', 6000, 100),
      upgradesPerMinutePerIp: int('WS_UPGRADES_PER_MINUTE_PER_IP', 600, 1),
    },
    presence: {
      graceMs: int('PRESENCE_GRACE_MS', 5000, 0),
      instanceTtlMs: int('PRESENCE_INSTANCE_TTL_MS', 15_000, 1000),
    },
    replayMax: int('REPLAY_MAX', 1000, 1, 100_000),
    consultations: {
      maxOpenPerClient: int('MAX_OPEN_CONSULTATIONS', 10, 1),
      bookingsPerPairPerHour: int('BOOKINGS_PER_PAIR_PER_HOUR', 10, 1),
    },
    http: {
      bodyLimitBytes: int('HTTP_BODY_LIMIT_BYTES', 64 * 1024, 1024),
      broadcastBodyLimitBytes: int('BROADCAST_BODY_LIMIT_BYTES', 1024 * 1024, 1024),
      maxJsonDepth: int('HTTP_MAX_JSON_DEPTH', 32, 2, 1000),
      maxConnectionsPerIp: int('MAX_CONNECTIONS_PER_IP', 1000, 0),
      headersTimeoutMs: int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 100),
    },
    metrics: { port: metricsPort, host: env.METRICS_HOST || '127.0.0.1', token: metricsToken },
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 8000, 100),
    schedule: {
      dailyReadingHour: int('DAILY_READING_HOUR', 7, 0, 23),
      reminderMinutes: int('CONSULTATION_REMINDER_MINUTES', 15, 1, 7 * 24 * 60),
      tickMs: int('SCHEDULER_TICK_MS', 30_000, 100, 3_600_000),
    },
    push,
    wallet: { currency, stripeWebhookSecret, rateMinMinor, rateMaxMinor },
    availability: { maxSubscribers: int('AVAILABILITY_MAX_SUBSCRIBERS', 10_000, 1) },
    demo: { topUps: demoTopUps },
    liveSessions: {
      tickMs: int('LIVE_SESSION_TICK_MS', 500, 50, 1000),
      minuteMs: int('LIVE_SESSION_MINUTE_MS', 60_000, 1000, 60_000),
      acceptMs: int('LIVE_SESSION_ACCEPT_MS', 60_000, 1000, 600_000),
      pauseAfterMs: int('LIVE_SESSION_PAUSE_AFTER_MS', 30_000, 1000, 600_000),
      maxPauseMs: int('LIVE_SESSION_MAX_PAUSE_MS', 300_000, 1000, 3_600_000),
      freeMinutes: int('LIVE_SESSION_FREE_MINUTES', 0, 0, 60),
      commissionPercent: int('LIVE_SESSION_COMMISSION_PERCENT', 20, 0, 100),
    },
    warnings,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** For entry points (server, CLI): a bad environment prints what is wrong and exits 78 (EX_CONFIG). */
export function loadConfigOrExit(env: Env = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
}

/** `900`, `15m`, `1h`, `7d` → seconds. */
export function parseDuration(raw: string): number | undefined {
  const match = /^(\d+)\s*([smhd]?)$/.exec(raw.trim());
  if (!match) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  return seconds > 0 ? seconds : undefined;
}

/** The embedded default must work with no setup, yet keep tokens valid across restarts: persist one secret. */
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
