import { createECDH } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config';
import { DEFAULT_PUSH_ENDPOINT_HOSTS } from './push-config';

const SECRET = 'x'.repeat(32);

/** Each test's DATA_DIR (the generated keys land there), removed after it. */
let dataDir: string;
beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'numerai-push-config-'))));
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('Web Push configuration', () => {
  it('generates a VAPID pair under DATA_DIR once, keeps it across starts, and says so', () => {
    const first = loadConfig({ JWT_SECRET: SECRET, DATA_DIR: dataDir });
    expect(first.push.vapidGenerated).toBe(true);
    expect(Buffer.from(first.push.vapid.publicKey, 'base64url')).toHaveLength(65);
    expect(Buffer.from(first.push.vapid.privateKey, 'base64url')).toHaveLength(32);
    expect(first.warnings.filter((line) => line.includes('VAPID'))).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(dataDir, 'vapid-keys.json'), 'utf8')).publicKey).toBe(
      first.push.vapid.publicKey,
    );
    expect(loadConfig({ JWT_SECRET: SECRET, DATA_DIR: dataDir }).push.vapid).toEqual(first.push.vapid);
  });

  it('takes the pair from the environment, and checks it', () => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const env = {
      JWT_SECRET: SECRET,
      DATA_DIR: dataDir,
      VAPID_PUBLIC_KEY: ecdh.getPublicKey().toString('base64url'),
      VAPID_PRIVATE_KEY: ecdh.getPrivateKey().toString('base64url'),
      VAPID_SUBJECT: 'https://numerai.example/contact',
    };
    const config = loadConfig(env);
    expect(config.push.vapidGenerated).toBe(false);
    expect(config.push.vapid.publicKey).toBe(env.VAPID_PUBLIC_KEY);
    expect(config.warnings.join(' ')).not.toContain('VAPID');
    expect(() => loadConfig({ ...env, VAPID_PRIVATE_KEY: '' })).toThrow(/VAPID_PRIVATE_KEY/);
    expect(() => loadConfig({ ...env, VAPID_PUBLIC_KEY: 'short' })).toThrow(/VAPID_PUBLIC_KEY/);
    expect(() => loadConfig({ ...env, VAPID_SUBJECT: 'webmaster' })).toThrow(/VAPID_SUBJECT/);
  });

  it('sends to the browsers’ push services only, unless PUSH_ENDPOINT_HOSTS adds hosts or private endpoints are opted in', () => {
    const base = { JWT_SECRET: SECRET, DATA_DIR: dataDir };
    const defaults = loadConfig(base);
    expect(defaults.push).toMatchObject({
      allowPrivateEndpoints: false,
      graceMs: 10_000,
      maxAttempts: 5,
      maxSubscriptionsPerUser: 10,
      sendConcurrency: 8,
    });
    expect(defaults.push.endpointHosts).toEqual([...DEFAULT_PUSH_ENDPOINT_HOSTS]);
    // Not even outside production: the README's N-instance recipe never sets NODE_ENV.
    expect(defaults.warnings.join(' ')).not.toContain('PUSH_');
    const extended = loadConfig({ ...base, PUSH_ENDPOINT_HOSTS: ' Push.Example.com , autopush.internal' });
    expect(extended.push.endpointHosts).toEqual([
      ...DEFAULT_PUSH_ENDPOINT_HOSTS,
      'push.example.com',
      'autopush.internal',
    ]);
    for (const bad of ['https://push.example.com', '10.0.0.1', 'push..example.com', '*.example.com', 'host:443']) {
      expect(() => loadConfig({ ...base, PUSH_ENDPOINT_HOSTS: bad })).toThrow(/PUSH_ENDPOINT_HOSTS/);
    }
    const opted = loadConfig({ ...base, PUSH_ALLOW_PRIVATE_ENDPOINTS: 'true' });
    expect(opted.push.allowPrivateEndpoints).toBe(true);
    expect(opted.warnings.filter((line) => line.includes('PUSH_ALLOW_PRIVATE_ENDPOINTS=true'))).toHaveLength(1);
    expect(() => loadConfig({ ...base, PUSH_ALLOW_PRIVATE_ENDPOINTS: 'yes' })).toThrow(/PUSH_ALLOW_PRIVATE_ENDPOINTS/);
    const old = loadConfig({ ...base, PUSH_ALLOW_LOOPBACK: 'true' });
    expect(old.push.allowPrivateEndpoints).toBe(false);
    expect(old.warnings.join(' ')).toContain('PUSH_ALLOW_LOOPBACK is no longer read');
    expect(loadConfig({ ...base, PUSH_SEND_CONCURRENCY: '2' }).push.sendConcurrency).toBe(2);
    expect(() => loadConfig({ ...base, PUSH_SEND_CONCURRENCY: '0' })).toThrow(/PUSH_SEND_CONCURRENCY/);
  });
});
