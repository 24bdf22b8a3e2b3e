/* global self */
/**
 * The demo's service worker, served at /demo/sw.js (scope /demo/). It shows each Web Push as a
 * notification, tells the open demo tabs about it, and opens (or focuses) the pushed URL on a
 * click. The payload is the server's `{ title, body, url, notification_id }`.
 */

// A new version takes over at once: the demo keeps no caches an old page could depend on.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

/** The push's payload, tolerating anything: a push that cannot be read still shows something. */
function payloadOf(event) {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  const text = (value) => (typeof value === 'string' ? value : '');
  return {
    title: text(data.title) || 'NumerAI',
    body: text(data.body),
    url: text(data.url),
    notification_id: text(data.notification_id),
  };
}

/** Only pages of this site: a pushed URL must not send the user elsewhere. */
function targetUrl(url) {
  const scope = self.registration.scope;
  try {
    const target = new URL(url || scope, scope);
    return target.origin === self.location.origin ? target.href : scope;
  } catch {
    return scope;
  }
}

self.addEventListener('push', (event) => {
  const payload = payloadOf(event);
  const shown = self.registration.showNotification(payload.title, {
    body: payload.body,
    data: { url: payload.url, notification_id: payload.notification_id },
    // One notification per server notification: a repeated delivery replaces instead of stacking.
    tag: payload.notification_id || undefined,
  });
  const told = self.clients
    .matchAll({ type: 'window', includeUncontrolled: true })
    .then((windows) => windows.forEach((client) => client.postMessage({ type: 'numerai-push', payload })));
  // Chrome requires a visible notification for every push (userVisibleOnly), even with the page open.
  event.waitUntil(Promise.all([shown, told]));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = targetUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      // An open demo tab is reused: its sign-in lives in that tab (sessionStorage), a new window has none.
      const open =
        windows.find((client) => client.url === url) ||
        windows.find((client) => client.url.startsWith(self.registration.scope));
      if (!open) return self.clients.openWindow(url);
      return open
        .focus()
        .then((focused) => (focused.url === url ? focused : focused.navigate(url).catch(() => focused)));
    }),
  );
});
