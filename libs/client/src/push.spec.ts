import {
  fetchVapidPublicKey,
  pushSupported,
  subscribeToPush,
  unsubscribeFromPush,
  urlBase64ToUint8Array,
} from './push';
import { fakeRegistration, startPushApiStub, VAPID_PUBLIC_KEY, type PushApiStub } from './push.test-support';

const TOKEN = 'the-access-token';

describe('urlBase64ToUint8Array', () => {
  it('decodes unpadded base64url, including - and _', () => {
    const bytes = Uint8Array.from([0xfb, 0xff, 0xbf, 0x00, 0x01]);
    expect(urlBase64ToUint8Array(Buffer.from(bytes).toString('base64url'))).toEqual(bytes);
    expect(Buffer.from(bytes).toString('base64url')).toMatch(/[-_]/);
  });

  it('gives the 65 bytes of an uncompressed P-256 key', () => {
    const key = urlBase64ToUint8Array(VAPID_PUBLIC_KEY);
    expect(key).toHaveLength(65);
    expect(key[0]).toBe(4);
  });
});

describe('pushSupported', () => {
  it('needs a service worker container, PushManager and Notification', () => {
    const full = { navigator: { serviceWorker: {} }, PushManager: class {}, Notification: class {} };
    expect(pushSupported(full)).toBe(true);
    const { PushManager: _pm, ...noPush } = full;
    expect(pushSupported(noPush)).toBe(false);
    expect(pushSupported({ ...full, navigator: {} })).toBe(false);
    expect(pushSupported(globalThis)).toBe(false); // Node
  });
});

describe('push subscription against the REST API (loopback HTTP server)', () => {
  let api: PushApiStub;
  const options = () => ({ baseUrl: api.url, getToken: () => TOKEN });

  beforeEach(async () => {
    api = await startPushApiStub(TOKEN);
  });

  afterEach(() => api.close());

  it('fetches the VAPID key without asking for a token', async () => {
    expect(await fetchVapidPublicKey({ baseUrl: api.url })).toBe(VAPID_PUBLIC_KEY);
    expect(api.requests).toEqual([
      { method: 'GET', path: '/api/push/vapid-public-key', authorized: false, body: undefined },
    ]);
  });

  it('subscribes with the server key, userVisibleOnly, and registers the subscription with the bearer token', async () => {
    const registration = fakeRegistration();
    const result = await subscribeToPush({ ...options(), registration });

    expect(registration.pushManager.subscribeCalls).toHaveLength(1);
    expect(registration.pushManager.subscribeCalls[0].userVisibleOnly).toBe(true);
    expect(registration.pushManager.subscribeCalls[0].applicationServerKey).toEqual(
      urlBase64ToUint8Array(VAPID_PUBLIC_KEY),
    );
    const post = api.requests.find((r) => r.method === 'POST')!;
    expect(post).toMatchObject({ path: '/api/push/subscriptions', authorized: true });
    expect(post.body).toEqual({
      endpoint: result.endpoint,
      expirationTime: null,
      keys: { p256dh: 'p256dh-key', auth: 'auth-secret' },
    });
    expect(result).toMatchObject({ id: 'sub-1', endpoint: expect.stringMatching(/^https:\/\/push\.example\.test\//) });
    expect(result.subscription).toBe(registration.pushManager.current);
  });

  it('reuses a subscription made with the same key (registered again, one server record)', async () => {
    const registration = fakeRegistration();
    const first = await subscribeToPush({ ...options(), registration });
    const second = await subscribeToPush({ ...options(), registration });
    expect(registration.pushManager.subscribeCalls).toHaveLength(1);
    expect(second.id).toBe(first.id);
    expect(api.subscriptions.size).toBe(1);
  });

  it('replaces a subscription made with another key', async () => {
    const registration = fakeRegistration();
    await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: new Uint8Array([4, 1]) });
    const old = registration.pushManager.current!;
    await subscribeToPush({ ...options(), registration });
    expect(old.unsubscribed).toBe(true);
    expect(registration.pushManager.subscribeCalls).toHaveLength(2);
    expect(registration.pushManager.current).not.toBe(old);
  });

  it('undoes the browser subscription when the server refuses it, and says so', async () => {
    const registration = fakeRegistration();
    api.failNextPost(400);
    await expect(subscribeToPush({ ...options(), registration })).rejects.toThrow(
      'POST /api/push/subscriptions answered 400',
    );
    expect(registration.pushManager.current).toBeNull();
  });

  it('rejects (and registers nothing) when the browser cannot subscribe', async () => {
    const registration = fakeRegistration();
    registration.pushManager.failSubscribe = new Error('AbortError: push service not available');
    await expect(subscribeToPush({ ...options(), registration })).rejects.toThrow('push service not available');
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('a 401 rejects: without a token nothing is registered', async () => {
    const registration = fakeRegistration();
    await expect(subscribeToPush({ baseUrl: api.url, registration })).rejects.toThrow('answered 401');
    expect(api.subscriptions.size).toBe(0);
  });

  it('unsubscribes: finds its record by endpoint, deletes it on the server and in the browser', async () => {
    const registration = fakeRegistration();
    const other = await subscribeToPush({ ...options(), registration: fakeRegistration() }); // another device
    const mine = await subscribeToPush({ ...options(), registration });
    expect(mine.id).not.toBe(other.id);

    expect(await unsubscribeFromPush({ ...options(), registration })).toBe(true);
    expect(api.requests.at(-1)).toMatchObject({ method: 'DELETE', path: `/api/push/subscriptions/${mine.id}` });
    expect([...api.subscriptions.keys()]).toEqual([other.id]);
    expect(registration.pushManager.current).toBeNull();
    expect(await unsubscribeFromPush({ ...options(), registration })).toBe(false);
  });

  it('unsubscribes in the browser even when the server cannot be reached, and rejects', async () => {
    const registration = fakeRegistration();
    const { subscription } = await subscribeToPush({ ...options(), registration });
    await api.close();
    await expect(unsubscribeFromPush({ ...options(), registration })).rejects.toThrow();
    expect(registration.pushManager.current).toBeNull();
    expect((subscription as { unsubscribed?: boolean }).unsubscribed).toBe(true);
    api = await startPushApiStub(TOKEN); // for afterEach
  });

  it('uses a given request function instead of fetch (the React provider passes its own)', async () => {
    const calls: string[] = [];
    const registration = fakeRegistration();
    await subscribeToPush({
      registration,
      request: (path, init) => {
        calls.push(`${init?.method ?? 'GET'} ${path}`);
        return Promise.resolve(
          path.endsWith('vapid-public-key')
            ? { public_key: VAPID_PUBLIC_KEY }
            : { id: 'x', endpoint: 'e', created_at: '' },
        );
      },
    });
    expect(calls).toEqual(['GET /api/push/vapid-public-key', 'POST /api/push/subscriptions']);
    expect(api.requests).toHaveLength(0);
  });
});
