// Relative, not '@numerai/client': this .ts file is also type-checked by the root tsconfig, which has no such alias.
import type { PushPayload } from '../../../libs/client/src/push';

/**
 * The demo's service worker (public/sw.js), registered on page load: registering asks the user
 * nothing; the notification permission is asked only when they click "Enable push notifications".
 * `base`: where the page is served (Vite's BASE_URL, /demo/). Resolves once a worker is active
 * (push subscriptions need one); rejects where there is none.
 */
export function registerServiceWorker(base: string): Promise<ServiceWorkerRegistration> {
  if (!('serviceWorker' in navigator)) return Promise.reject(new Error('Service workers are not supported here'));
  return navigator.serviceWorker.register(`${base}sw.js`, { scope: base }).then(() => navigator.serviceWorker.ready);
}

/** Pushes the worker received while this page is open (it tells every open tab). */
export function onPushMessage(listener: (payload: PushPayload) => void): () => void {
  if (!('serviceWorker' in navigator)) return () => undefined;
  const handler = (event: MessageEvent<{ type?: string; payload?: PushPayload }>) => {
    if (event.data?.type === 'numerai-push' && event.data.payload) listener(event.data.payload);
  };
  navigator.serviceWorker.addEventListener('message', handler);
  return () => navigator.serviceWorker.removeEventListener('message', handler);
}
