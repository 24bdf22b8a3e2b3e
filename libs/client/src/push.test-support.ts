/**
 * For tests only (not part of the build): the push REST API (docs/rest.md) on a real loopback
 * HTTP server, holding subscriptions in memory per bearer token, and fakes of the BROWSER's
 * PushManager and PushSubscription (Node has none). The SDK under test is never faked.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PushRegistrationLike, PushSubscriptionLike, PushSubscriptionRecord } from './push';

/** A 65-byte uncompressed P-256 point, as base64url without padding (what the server answers). */
export const VAPID_PUBLIC_KEY = Buffer.from(Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : i))).toString(
  'base64url',
);

export interface PushApiStub {
  url: string;
  /** Every request: method, path and whether it carried the expected bearer token. */
  requests: { method: string; path: string; authorized: boolean; body?: unknown }[];
  /** The server's subscriptions, by id. */
  subscriptions: Map<string, PushSubscriptionRecord & { keys?: unknown }>;
  /** Answer the next POST /api/push/subscriptions with this status instead. */
  failNextPost(status: number): void;
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : undefined;
}

export async function startPushApiStub(token: string): Promise<PushApiStub> {
  const requests: PushApiStub['requests'] = [];
  const subscriptions: PushApiStub['subscriptions'] = new Map();
  let nextId = 1;
  let postFailure: number | undefined;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = req.url ?? '/';
      const method = req.method ?? 'GET';
      const authorized = req.headers.authorization === `Bearer ${token}`;
      const body = await bodyOf(req);
      requests.push({ method, path, authorized, body });
      const json = (status: number, answer?: unknown) => {
        res.writeHead(status, answer === undefined ? {} : { 'content-type': 'application/json' });
        res.end(answer === undefined ? undefined : JSON.stringify(answer));
      };
      if (method === 'GET' && path === '/api/push/vapid-public-key') return json(200, { public_key: VAPID_PUBLIC_KEY });
      if (!authorized) return json(401, { message: 'Unauthorized' });
      if (method === 'POST' && path === '/api/push/subscriptions') {
        if (postFailure) {
          const status = postFailure;
          postFailure = undefined;
          return json(status, { message: 'refused' });
        }
        const { endpoint, keys } = body as { endpoint: string; keys: unknown };
        const known = [...subscriptions.values()].find((s) => s.endpoint === endpoint);
        if (known) return json(200, { id: known.id, endpoint, created_at: known.created_at });
        const record = { id: `sub-${nextId++}`, endpoint, created_at: new Date(0).toISOString() };
        subscriptions.set(record.id, { ...record, keys });
        return json(201, record);
      }
      if (method === 'GET' && path === '/api/push/subscriptions') {
        return json(
          200,
          [...subscriptions.values()].map(({ id, endpoint, created_at }) => ({ id, endpoint, created_at })),
        );
      }
      const id = /^\/api\/push\/subscriptions\/([^/]+)$/.exec(path)?.[1];
      if (method === 'DELETE' && id && subscriptions.delete(decodeURIComponent(id))) return json(204);
      return json(404, { message: 'Not Found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    subscriptions,
    failNextPost: (status) => (postFailure = status),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A fake of the browser's PushManager: one subscription at most, as in a browser. */
export class FakePushManager {
  current: FakePushSubscription | null = null;
  subscribeCalls: { userVisibleOnly: boolean; applicationServerKey: BufferSource }[] = [];
  /** Makes subscribe() reject as a browser without a reachable push service does. */
  failSubscribe?: Error;
  /** Endpoints are unique across fakes, as across real browsers. */
  private static count = 0;

  getSubscription(): Promise<PushSubscriptionLike | null> {
    return Promise.resolve(this.current);
  }

  subscribe(options: { userVisibleOnly: boolean; applicationServerKey: BufferSource }): Promise<PushSubscriptionLike> {
    this.subscribeCalls.push(options);
    if (this.failSubscribe) return Promise.reject(this.failSubscribe);
    if (this.current) return Promise.reject(new Error('InvalidStateError: subscribed with another key'));
    this.current = new FakePushSubscription(this, `https://push.example.test/send/${++FakePushManager.count}`, options);
    return Promise.resolve(this.current);
  }
}

export class FakePushSubscription implements PushSubscriptionLike {
  readonly options: { applicationServerKey: ArrayBuffer };
  unsubscribed = false;

  constructor(
    private readonly manager: FakePushManager,
    readonly endpoint: string,
    options: { applicationServerKey: BufferSource },
  ) {
    const key = options.applicationServerKey;
    this.options = {
      applicationServerKey: Uint8Array.from(
        ArrayBuffer.isView(key) ? new Uint8Array(key.buffer, key.byteOffset, key.byteLength) : new Uint8Array(key),
      ).buffer,
    };
  }

  toJSON(): PushSubscriptionJSON {
    return { endpoint: this.endpoint, expirationTime: null, keys: { p256dh: 'p256dh-key', auth: 'auth-secret' } };
  }

  unsubscribe(): Promise<boolean> {
    this.unsubscribed = true;
    if (this.manager.current === this) this.manager.current = null;
    return Promise.resolve(true);
  }
}

export function fakeRegistration(): PushRegistrationLike & { pushManager: FakePushManager } {
  return { pushManager: new FakePushManager() };
}
