import { resolveHttpBase } from './urls';

/**
 * Web Push in the browser, framework-free: the server's VAPID key, the browser's push
 * subscription and its registration with the API (`/api/push/*`, docs/rest.md). The service
 * worker that shows the pushes is the application's (apps/demo/public/sw.js is an example).
 */

/** One JSON call to the REST API with the bearer token; rejects on a non-2xx answer. */
export type PushRequest = (
  path: string,
  init?: { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown },
) => Promise<unknown>;

/** Where the API is and who calls it: either a ready `request` (the React provider's `api`) or a base URL and a token. */
export interface PushApiOptions {
  /** A REST caller of your own; when given, `baseUrl`, `getToken` and `fetch` are not used. */
  request?: PushRequest;
  /** Origin of the API (http(s) or ws(s), a trailing `/ws/` is understood). Defaults to the page's origin. */
  baseUrl?: string;
  /** The signed-in user's access token, read at each call (so a renewed one is used). */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** fetch implementation; defaults to the global one. */
  fetch?: typeof fetch;
}

/** The parts of the browser's `PushSubscription` used here (a fake one in tests). */
export interface PushSubscriptionLike {
  readonly endpoint: string;
  readonly options?: { readonly applicationServerKey: ArrayBuffer | null };
  toJSON(): PushSubscriptionJSON;
  unsubscribe(): Promise<boolean>;
}

/** The parts of a `ServiceWorkerRegistration` used here. */
export interface PushRegistrationLike {
  readonly pushManager: {
    getSubscription(): Promise<PushSubscriptionLike | null>;
    subscribe(options: { userVisibleOnly: boolean; applicationServerKey: BufferSource }): Promise<PushSubscriptionLike>;
  };
}

/** The server's record of one subscription (`POST /api/push/subscriptions`). */
export interface PushSubscriptionRecord {
  id: string;
  endpoint: string;
  created_at: string;
}

/** What a push carries to the service worker (the server's payload). */
export interface PushPayload {
  title: string;
  body: string;
  url: string;
  notification_id: string;
}

/** True where this browser can register a service worker, subscribe to pushes and show notifications. */
export function pushSupported(scope: object = globalThis): boolean {
  const { navigator } = scope as { navigator?: object };
  return Boolean(navigator && 'serviceWorker' in navigator && 'PushManager' in scope && 'Notification' in scope);
}

/** The VAPID public key as the server gives it (unpadded base64url) → the bytes `subscribe()` wants. */
export function urlBase64ToUint8Array(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(base64);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** `PushRequest` over fetch, against `baseUrl` with the current token. */
export function fetchPushRequest(options: Omit<PushApiOptions, 'request'> = {}): PushRequest {
  const origin = resolveHttpBase(options.baseUrl);
  return async (path, init = {}) => {
    const fetchImpl = options.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch;
    if (!fetchImpl) throw new Error('NumerAI client: no global fetch for push; pass options.fetch');
    const token = await options.getToken?.();
    const method = init.method ?? 'GET';
    const response = await fetchImpl(`${origin}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!response.ok) throw new Error(`NumerAI client: ${method} ${path} answered ${response.status}`);
    const text = await response.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
}

function requestOf(options: PushApiOptions): PushRequest {
  return options.request ?? fetchPushRequest(options);
}

/** `GET /api/push/vapid-public-key`: the key push subscriptions must be made with. */
export async function fetchVapidPublicKey(options: PushApiOptions = {}): Promise<string> {
  const answer = (await requestOf(options)('/api/push/vapid-public-key')) as { public_key?: unknown } | undefined;
  if (typeof answer?.public_key !== 'string' || !answer.public_key) {
    throw new Error('NumerAI client: the server gave no VAPID public key');
  }
  return answer.public_key;
}

function sameKey(a: ArrayBuffer | null | undefined, b: Uint8Array<ArrayBuffer>): boolean {
  if (!a || a.byteLength !== b.byteLength) return false;
  const view = new Uint8Array(a);
  return view.every((byte, i) => byte === b[i]);
}

export interface SubscribeToPushOptions extends PushApiOptions {
  /** The service worker registration that will receive the pushes (`await navigator.serviceWorker.ready`). */
  registration: PushRegistrationLike;
}

/**
 * Subscribes this browser to pushes for the signed-in user: the server's VAPID key, then
 * `pushManager.subscribe`, then `POST /api/push/subscriptions`. Needs notification permission
 * already granted (ask with `Notification.requestPermission()` from a click, never on load).
 * A subscription made earlier with the same key is reused (and registered again, which the
 * server answers 200); one made with another key is replaced. If the server refuses it, the
 * browser's subscription is undone, so browser and server never disagree.
 */
export async function subscribeToPush(
  options: SubscribeToPushOptions,
): Promise<PushSubscriptionRecord & { subscription: PushSubscriptionLike }> {
  const request = requestOf(options);
  const key = urlBase64ToUint8Array(await fetchVapidPublicKey({ request }));
  const { pushManager } = options.registration;
  let subscription = await pushManager.getSubscription();
  if (subscription && !sameKey(subscription.options?.applicationServerKey, key)) {
    // subscribe() with a different key fails while the old subscription exists (the server's key rotated).
    await subscription.unsubscribe();
    subscription = null;
  }
  const created = !subscription;
  subscription ??= await pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  try {
    const record = (await request('/api/push/subscriptions', {
      method: 'POST',
      body: subscription.toJSON(),
    })) as PushSubscriptionRecord;
    return { ...record, subscription };
  } catch (failure) {
    if (created) await subscription.unsubscribe().catch(() => false);
    throw failure;
  }
}

export interface UnsubscribeFromPushOptions extends PushApiOptions {
  registration: PushRegistrationLike;
  /** The server's id of the subscription, when known; otherwise it is looked up by endpoint. */
  id?: string;
}

/** The items of `GET /api/push/subscriptions`: a bare array or `{ items: [...] }`. */
function recordsOf(answer: unknown): PushSubscriptionRecord[] {
  const items = Array.isArray(answer) ? answer : (answer as { items?: unknown } | undefined)?.items;
  return Array.isArray(items) ? (items as PushSubscriptionRecord[]) : [];
}

/**
 * Stops pushes to this browser: `DELETE /api/push/subscriptions/:id` and the browser's own
 * `unsubscribe()`. The browser side is undone even when the server cannot be reached (the
 * push service then answers 410 to the server's next push, which deletes its copy); the
 * server's failure is still thrown. False when this browser had no subscription.
 */
export async function unsubscribeFromPush(options: UnsubscribeFromPushOptions): Promise<boolean> {
  const subscription = await options.registration.pushManager.getSubscription();
  if (!subscription) return false;
  const request = requestOf(options);
  try {
    const id =
      options.id ??
      recordsOf(await request('/api/push/subscriptions')).find((r) => r.endpoint === subscription.endpoint)?.id;
    if (id) await request(`/api/push/subscriptions/${encodeURIComponent(id)}`, { method: 'DELETE' });
  } finally {
    await subscription.unsubscribe();
  }
  return true;
}
