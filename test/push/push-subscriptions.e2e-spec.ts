import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { PushSubscriptionEntity } from '@numerai/push';
import { createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { expectError } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { LOCAL_PUSH_SERVICE_ENV, PushService } from './support/push-service';

/** REST for Web Push subscriptions: what is accepted, what is refused, and whose they are. */
describe('push subscriptions (REST)', () => {
  let server: TestServer;
  let pushService: PushService;
  let alice: TestUser;
  let bob: TestUser;

  const post = (user: TestUser | undefined, body: unknown, on = server) =>
    http(on.httpUrl, 'POST', '/api/push/subscriptions', { token: user?.token, body });
  const list = (user: TestUser) => http(server.httpUrl, 'GET', '/api/push/subscriptions', { token: user.token });
  const remove = (user: TestUser, id: string) =>
    http(server.httpUrl, 'DELETE', `/api/push/subscriptions/${id}`, { token: user.token });

  beforeAll(async () => {
    server = await startTestServer({ ...LOCAL_PUSH_SERVICE_ENV, PUSH_MAX_SUBSCRIPTIONS: '3' });
    const key = await http(server.httpUrl, 'GET', '/api/push/vapid-public-key');
    pushService = await PushService.start(key.body.public_key);
    [alice, bob] = await Promise.all([createUser(server), createUser(server)]);
  });
  afterAll(async () => {
    await pushService?.close();
    await server?.close();
  });

  it('publishes the VAPID public key without a token: a generated pair kept under DATA_DIR, said once', async () => {
    const res = await http(server.httpUrl, 'GET', '/api/push/vapid-public-key');
    expect(res.status).toBe(200);
    const point = Buffer.from(res.body.public_key, 'base64url');
    expect(point).toHaveLength(65);
    expect(point[0]).toBe(4);
    expect(server.config.push.vapidGenerated).toBe(true);
    expect(existsSync(join(server.config.dataDir, 'vapid-keys.json'))).toBe(true);
    expect(server.config.warnings.filter((line) => line.includes('VAPID'))).toHaveLength(1);
  });

  it('stores a subscription (201), answers the same one again (200), lists it without its keys', async () => {
    // Users of its own: the other tests leave subscriptions with alice and bob, in any order.
    const [alice, bob] = await Promise.all([createUser(server), createUser(server)]);
    const subscription = pushService.subscription('rest-a');
    const created = await post(alice, subscription);
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(['created_at', 'endpoint', 'id']);
    expect(created.body.endpoint).toBe(subscription.endpoint);
    const again = await post(alice, subscription);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(created.body);
    const mine = await list(alice);
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual([created.body]);
    expect(JSON.stringify(mine.body)).not.toContain(subscription.keys.auth);
    expect((await list(bob)).body).toEqual([]);
  });

  it('needs a token to subscribe', async () => {
    expectError(await post(undefined, pushService.subscription('anon')), 401);
  });

  it.each([
    ['plain http to a public host', { endpoint: 'http://push.example.com/send/1' }, 'https'],
    ['another scheme', { endpoint: 'ftp://push.example.com/send/1' }, 'https'],
    ['not a URL', { endpoint: 'push service' }, 'URL'],
    ['credentials in the URL', { endpoint: 'https://user:pw@push.example.com/1' }, 'credentials'],
    ['a very long endpoint', { endpoint: `https://push.example.com/${'x'.repeat(1100)}` }, 'endpoint'],
    ['a host that is not a push service', { endpoint: 'https://push.example.com/send/1' }, 'not a known push service'],
    ['a look-alike host', { endpoint: 'https://fcm.googleapis.com.example.net/send/1' }, 'not a known push service'],
    ['a public address literal', { endpoint: 'https://142.250.74.106/fcm/send/1' }, 'not a known push service'],
    ['the metadata service even with private endpoints on', { endpoint: 'http://169.254.169.254/x' }, 'never sent to'],
    ['0.0.0.0 even with private endpoints on', { endpoint: 'https://0.0.0.0/x' }, 'never sent to'],
    ['an expirationTime beyond any date', { expirationTime: 1e21 }, 'expirationTime must be a whole number of ms'],
    ['a negative expirationTime', { expirationTime: -1 }, 'expirationTime'],
  ])('refuses %s (400)', async (_what, change, mentions) => {
    expectError(await post(alice, { ...pushService.subscription('bad-endpoint'), ...change }), 400, mentions);
  });

  it.each([
    ['a short p256dh', { p256dh: Buffer.alloc(33, 2).toString('base64url') }, 'p256dh'],
    [
      'a p256dh that is not a point on P-256',
      { p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url') },
      'p256dh',
    ],
    [
      'a compressed-point prefix',
      { p256dh: Buffer.concat([Buffer.from([2]), Buffer.alloc(64, 7)]).toString('base64url') },
      'p256dh',
    ],
    ['an auth of 8 bytes', { auth: Buffer.alloc(8, 1).toString('base64url') }, 'auth'],
    ['an auth that is not base64url', { auth: '!'.repeat(22) }, 'auth'],
  ])('refuses %s (400)', async (_what, change, mentions) => {
    const subscription = pushService.subscription('bad-keys');
    expectError(await post(alice, { ...subscription, keys: { ...subscription.keys, ...change } }), 400, mentions);
  });

  it('names a bad key by its path once (keys.p256dh, not keys.keys.p256dh)', async () => {
    const subscription = pushService.subscription('bad-key-path');
    const res = await post(alice, { ...subscription, keys: { p256dh: 'short', auth: 'short' } });
    expectError(res, 400);
    expect(res.body.message).toEqual([
      'keys.p256dh must be a 65-byte P-256 public key, base64url',
      'keys.auth must be 16 bytes, base64url',
    ]);
  });

  it('accepts the latest expirationTime a date can hold', async () => {
    const res = await post(alice, { ...pushService.subscription('far-expiry'), expirationTime: 8_640_000_000_000_000 });
    expect(res.status).toBe(201);
  });

  it('refuses missing keys and unknown fields (400)', async () => {
    const { endpoint, keys } = pushService.subscription('shape');
    expectError(await post(alice, { endpoint }), 400, 'keys');
    expectError(await post(alice, { endpoint, keys, extra: 1 }), 400, 'extra');
    expectError(await post(alice, { endpoint, keys: { p256dh: keys.p256dh } }), 400, 'auth');
  });

  it('deletes only the caller’s own (204); others’ and unknown ids are 404 alike', async () => {
    const mine = await post(alice, pushService.subscription('rest-delete'));
    expect(mine.status).toBe(201);
    expectError(await remove(bob, mine.body.id), 404);
    expectError(await remove(bob, 'not-a-uuid'), 404);
    expect((await list(alice)).body.map((s: { id: string }) => s.id)).toContain(mine.body.id);
    expect((await remove(alice, mine.body.id)).status).toBe(204);
    expectError(await remove(alice, mine.body.id), 404);
  });

  it('moves an endpoint registered by another user to the caller (the browser is theirs now)', async () => {
    const [alice, bob] = await Promise.all([createUser(server), createUser(server)]);
    const subscription = pushService.subscription('rest-shared-browser');
    const before = await post(alice, subscription);
    const moved = await post(bob, subscription);
    expect(moved.status).toBe(201);
    expect(moved.body.id).not.toBe(before.body.id);
    expect((await list(alice)).body.map((s: { id: string }) => s.id)).not.toContain(before.body.id);
    expect((await list(bob)).body.map((s: { id: string }) => s.id)).toEqual([moved.body.id]);
  });

  it('caps subscriptions per user (409 past PUSH_MAX_SUBSCRIPTIONS)', async () => {
    const carol = await createUser(server);
    for (let i = 0; i < 3; i++) expect((await post(carol, pushService.subscription(`cap-${i}`))).status).toBe(201);
    expectError(await post(carol, pushService.subscription('cap-3')), 409, 'At most 3');
  });

  it('exports endpoints without keys, and erases them with the account', async () => {
    const dave = await createUser(server);
    const subscription = pushService.subscription('rest-erase');
    const created = await post(dave, subscription);
    const exported = await http(server.httpUrl, 'GET', '/api/users/me/export', { token: dave.token });
    expect(exported.body.push_subscriptions).toEqual([created.body]);
    expect(JSON.stringify(exported.body)).not.toContain(subscription.keys.auth);
    const erased = await http(server.httpUrl, 'DELETE', '/api/users/me', {
      token: dave.token,
      body: { password: dave.password },
    });
    expect(erased.status).toBe(204);
    const rows = await server.app.get(DataSource).getRepository(PushSubscriptionEntity).countBy({ userId: dave.id });
    expect(rows).toBe(0);
  });

  it('by default accepts only the browsers’ push services (and PUSH_ENDPOINT_HOSTS), never a private address', async () => {
    const strict = await startTestServer({ PUSH_ENDPOINT_HOSTS: 'push.example.com' });
    try {
      const erin = await createUser(strict);
      expect(strict.config.warnings.join(' ')).not.toContain('PUSH_ALLOW_PRIVATE_ENDPOINTS');
      expectError(await post(erin, pushService.subscription('strict'), strict), 400, 'loopback or private');
      const at = (endpoint: string) => ({ ...pushService.subscription('strict'), endpoint });
      for (const endpoint of [
        'https://fcm.googleapis.com/fcm/send/abc',
        'https://updates.push.services.mozilla.com/wpush/v2/abc',
        'https://web.push.apple.com/abc',
        'https://wns2-par02p.notify.windows.com/w/?token=abc',
        'https://push.example.com/send/abc',
      ]) {
        expect({ endpoint, status: (await post(erin, at(endpoint), strict)).status }).toEqual({
          endpoint,
          status: 201,
        });
        await strict.app.get(DataSource).getRepository(PushSubscriptionEntity).delete({ userId: erin.id });
      }
    } finally {
      await strict.close();
    }
  });
});
