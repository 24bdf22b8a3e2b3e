import { createECDH } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config';

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

  it('allows loopback endpoints unless NODE_ENV=production or PUSH_ALLOW_LOOPBACK says otherwise', () => {
    const base = { JWT_SECRET: SECRET, DATA_DIR: dataDir };
    expect(loadConfig(base).push).toMatchObject({
      allowLoopback: true,
      graceMs: 10_000,
      maxAttempts: 5,
      maxSubscriptionsPerUser: 10,
    });
    expect(loadConfig({ ...base, NODE_ENV: 'production' }).push.allowLoopback).toBe(false);
    expect(loadConfig({ ...base, NODE_ENV: 'production', PUSH_ALLOW_LOOPBACK: 'true' }).push.allowLoopback).toBe(true);
    expect(loadConfig({ ...base, PUSH_ALLOW_LOOPBACK: 'false' }).push.allowLoopback).toBe(false);
    expect(() => loadConfig({ ...base, PUSH_ALLOW_LOOPBACK: 'yes' })).toThrow(/PUSH_ALLOW_LOOPBACK/);
  });
});
