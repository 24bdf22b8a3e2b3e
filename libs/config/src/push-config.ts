import { createECDH } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Env = Record<string, string | undefined>;

/** Web Push settings (issue 16). */
export interface PushConfig {
  /** VAPID (RFC 8292): the application server's P-256 key pair, base64url (public: 65-byte point, private: 32 bytes). */
  vapid: { publicKey: string; privateKey: string; subject: string };
  /** True when the pair was generated under DATA_DIR (no VAPID_* set). */
  vapidGenerated: boolean;
  /** How long after a notification the push waits, so a reload or a quick reconnect does not push. */
  graceMs: number;
  /** Sends of one push to one subscription before it is given up (429/5xx/network answers retry). */
  maxAttempts: number;
  /** Subscriptions (browsers, devices) one user may register. */
  maxSubscriptionsPerUser: number;
  /**
   * Hosts a push endpoint may be on, each matching itself and its subdomains: the browsers'
   * push services, plus PUSH_ENDPOINT_HOSTS. Anything else the server would be asked to POST to
   * on a registrant's say-so (issue 23: push endpoints as a request-forgery tool).
   */
  endpointHosts: string[];
  /**
   * Whether endpoints on loopback and private addresses (RFC 1918, unique-local, CGNAT) are
   * accepted and sent to, plain http included for address literals: a local push service in
   * development and tests. Off unless PUSH_ALLOW_PRIVATE_ENDPOINTS=true, which warns at start-up.
   */
  allowPrivateEndpoints: boolean;
  /** Pushes one instance's sweep sends at once. */
  sendConcurrency: number;
}

/**
 * The push services browsers subscribe with: Chrome and Chromium-based (FCM), Firefox (Mozilla
 * autopush), Safari (Apple), Edge (Windows Push Notification Services).
 */
export const DEFAULT_PUSH_ENDPOINT_HOSTS: readonly string[] = [
  'fcm.googleapis.com',
  'push.services.mozilla.com',
  'push.apple.com',
  'notify.windows.com',
];

/** A DNS name (letters, digits, hyphens; dot-separated labels), lowercase. */
const HOST_NAME = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/;

const PUBLIC_KEY = /^[A-Za-z0-9_-]{87}$/; // 65 bytes, base64url without padding
const PRIVATE_KEY = /^[A-Za-z0-9_-]{43}$/; // 32 bytes

export function loadPushConfig(
  env: Env,
  dataDir: string,
  int: (name: string, fallback: number, min?: number, max?: number) => number,
  problems: string[],
  warnings: string[],
): PushConfig {
  const subject = env.VAPID_SUBJECT || 'mailto:webmaster@localhost';
  if (!/^(mailto:\S+@\S+|https:\/\/\S+)$/.test(subject)) {
    problems.push(`VAPID_SUBJECT must be a mailto: or https: URL (got "${subject}")`);
  }
  const publicKey = env.VAPID_PUBLIC_KEY ?? '';
  const privateKey = env.VAPID_PRIVATE_KEY ?? '';
  let vapid = { publicKey, privateKey, subject };
  let vapidGenerated = false;
  if (publicKey || privateKey) {
    if (!PUBLIC_KEY.test(publicKey) || Buffer.from(publicKey, 'base64url')[0] !== 0x04) {
      problems.push('VAPID_PUBLIC_KEY must be an uncompressed P-256 point (65 bytes), base64url');
    }
    if (!PRIVATE_KEY.test(privateKey)) problems.push('VAPID_PRIVATE_KEY must be 32 bytes, base64url');
  } else if (problems.length === 0) {
    vapid = { ...developmentVapidKeys(dataDir), subject };
    vapidGenerated = true;
    warnings.push(
      `VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY are not set: using a generated Web Push key pair kept in ` +
        `${join(dataDir, 'vapid-keys.json')}. Set them in production; every instance must share them.`,
    );
  }
  const allowPrivateEndpoints = flag(env, 'PUSH_ALLOW_PRIVATE_ENDPOINTS', problems);
  if (allowPrivateEndpoints) {
    warnings.push(
      'PUSH_ALLOW_PRIVATE_ENDPOINTS=true: push endpoints on loopback and private addresses are accepted and ' +
        'sent to, so any user can make this server POST into its own network. Development and tests only.',
    );
  }
  if (env.PUSH_ALLOW_LOOPBACK !== undefined && env.PUSH_ALLOW_LOOPBACK !== '') {
    warnings.push(
      'PUSH_ALLOW_LOOPBACK is no longer read: loopback and private push endpoints are refused unless ' +
        'PUSH_ALLOW_PRIVATE_ENDPOINTS=true.',
    );
  }
  return {
    vapid,
    vapidGenerated,
    graceMs: int('PUSH_GRACE_MS', 10_000, 0, 3_600_000),
    maxAttempts: int('PUSH_MAX_ATTEMPTS', 5, 1, 20),
    maxSubscriptionsPerUser: int('PUSH_MAX_SUBSCRIPTIONS', 10, 1, 100),
    endpointHosts: [...DEFAULT_PUSH_ENDPOINT_HOSTS, ...extraEndpointHosts(env.PUSH_ENDPOINT_HOSTS, problems)],
    allowPrivateEndpoints,
    sendConcurrency: int('PUSH_SEND_CONCURRENCY', 8, 1, 64),
  };
}

/** A true/false setting (unset: false). */
export function flag(env: Env, name: string, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return false;
}

/** PUSH_ENDPOINT_HOSTS: comma-separated DNS names (a self-hosted push service); address literals are not names. */
function extraEndpointHosts(raw: string | undefined, problems: string[]): string[] {
  const hosts = (raw ?? '')
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean);
  const bad = hosts.filter((host) => !HOST_NAME.test(host) || /^[\d.]+$/.test(host));
  if (bad.length > 0) {
    problems.push(`PUSH_ENDPOINT_HOSTS must be comma-separated host names such as push.example.com (got "${bad[0]}")`);
  }
  return hosts.filter((host) => !bad.includes(host));
}

/** Like the JWT secret: the embedded default works with no setup and keeps subscriptions valid across restarts. */
function developmentVapidKeys(dataDir: string): { publicKey: string; privateKey: string } {
  const file = join(dataDir, 'vapid-keys.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string; privateKey: string };
  mkdirSync(dataDir, { recursive: true });
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const keys = {
    publicKey: ecdh.getPublicKey().toString('base64url'),
    privateKey: ecdh.getPrivateKey().toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}
