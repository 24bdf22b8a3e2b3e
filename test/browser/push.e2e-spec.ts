/**
 * The demo page's service worker and push permission in a real browser (Debian's Chromium
 * driven by playwright-core, against the real server serving the page at /demo/):
 * - loading the page registers the worker but never asks for notification permission; the
 *   "Enable push notifications" click asks exactly once;
 * - a push delivered to the worker (DevTools' ServiceWorker.deliverPushMessage: headless
 *   Chromium has no push service, so a real subscription cannot be made here) shows a
 *   notification with the payload's title and body, and the open page lists it.
 * Skipped without Chromium unless REQUIRE_BROWSER=1, like demo.e2e-spec.ts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createConsultation, createUser } from '../support/factories';
import { startTestServer, TestServer } from '../support/server';
import { waitFor } from '../support/wait-for';
import { describeWithGateways } from '../client/support/gateways';
import { describeWithBrowser } from './support/chromium';
import { buildDemo, CHROMIUM, launchChromium, ROOT, signIn } from './support/demo-page';

const ARTIFACTS = join(ROOT, 'test-artifacts');

declare global {
  interface Window {
    /** How often the page called Notification.requestPermission (counted by the init script). */
    __permissionRequests: number;
  }
}

/** Runs before the page's own scripts: counts permission requests, still letting them through. */
function countPermissionRequests() {
  window.__permissionRequests = 0;
  const original = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...args: Parameters<typeof Notification.requestPermission>) => {
    window.__permissionRequests++;
    return original(...args);
  };
}

/** Resolves once the page's service worker is active (not merely installed). */
function workerActivated(page: Page): Promise<{ scope: string; state: string }> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const worker = registration.active!;
    if (worker.state !== 'activated') {
      await new Promise<void>((resolve) =>
        worker.addEventListener('statechange', () => worker.state === 'activated' && resolve()),
      );
    }
    return { scope: registration.scope, state: worker.state };
  });
}

describeWithBrowser(CHROMIUM, describeWithGateways)('demo page in Chromium: service worker and push', () => {
  let server: TestServer;
  let browser: Browser;
  let demoUrl: string;
  const contexts: BrowserContext[] = [];

  /** A fresh profile with notifications allowed (as if the user had said yes to the prompt). */
  async function newContext(): Promise<BrowserContext> {
    const context = await browser.newContext();
    contexts.push(context);
    await context.grantPermissions(['notifications'], { origin: server.httpUrl });
    await context.addInitScript(countPermissionRequests);
    return context;
  }

  beforeAll(async () => {
    buildDemo();
    server = await startTestServer();
    demoUrl = `${server.httpUrl}/demo/`;
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.close();
  });

  it('serves the worker script under /demo/ as JavaScript, never cached stale', async () => {
    const answer = await fetch(`${demoUrl}sw.js`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/javascript/);
    expect(answer.headers.get('cache-control')).toBe('no-cache');
    expect(await answer.text()).toContain("addEventListener('push'");
  });

  it('registers the service worker on load without asking; the Enable click asks exactly once', async () => {
    const page = await (await newContext()).newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, demoUrl, await createUser(server));

    // The worker is active with the demo's scope: the page registered it on load.
    expect(await workerActivated(page)).toEqual({ scope: demoUrl, state: 'activated' });
    // The push section has read this browser's state (permission granted by the profile, not subscribed)…
    await page.locator('[data-testid=push-state][data-state=off]').waitFor();
    await page.getByTestId('push-enable').waitFor();
    // …and nothing asked for permission on the way.
    expect(await page.evaluate(() => window.__permissionRequests)).toBe(0);

    await page.getByTestId('push-enable').click();
    await page.waitForFunction(() => window.__permissionRequests > 0);
    // Subscribing then settles either way: headless Chromium has no push service to subscribe
    // with, so the demo shows the failure as a line instead of hanging or throwing.
    await page.locator('[data-testid=push-error], [data-testid=push-state][data-state=enabled]').first().waitFor();
    if (await page.getByTestId('push-error').isVisible()) {
      // The failure leaves the section usable: still off, the button there to try again.
      expect(await page.getByTestId('push-state').getAttribute('data-state')).toBe('off');
      await page.locator('[data-testid=push-enable]:not([disabled])').waitFor();
    }
    expect(await page.evaluate(() => window.__permissionRequests)).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'browser-push-after-enable.png') });
    expect(await page.evaluate(() => Notification.permission)).toBe('granted');
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('a push delivered to the worker shows a notification with its title and body, and the open page lists it', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, demoUrl, await createUser(server));
    await workerActivated(page);

    // The worker's registration id, from DevTools' ServiceWorker domain.
    const cdp = await context.newCDPSession(page);
    const registrations = new Map<string, string>();
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: updated }) => {
      for (const r of updated) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
    });
    await cdp.send('ServiceWorker.enable');
    const { value: registrationId } = await waitFor(
      `the registration of ${demoUrl}`,
      () => registrations.get(demoUrl),
      30_000,
    );

    const payload = {
      title: 'New message from Ada',
      body: 'Your numbers look promising',
      url: '/demo/?consultation=c-1',
      notification_id: 'n-42',
    };
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: server.httpUrl,
      registrationId,
      data: JSON.stringify(payload),
    });

    // Shown by the worker (tagged with the notification id) …
    const shown = await page.waitForFunction(
      async (tag) => {
        const registration = await navigator.serviceWorker.ready;
        const [notification] = await registration.getNotifications({ tag });
        return notification
          ? { title: notification.title, body: notification.body, data: notification.data as unknown }
          : null;
      },
      payload.notification_id,
      { polling: 100 },
    );
    expect(await shown.jsonValue()).toEqual({
      title: payload.title,
      body: payload.body,
      data: { url: payload.url, notification_id: payload.notification_id },
    });
    // … and told to the open page.
    await page.getByTestId('pushed').filter({ hasText: payload.title }).waitFor();
    expect(await page.getByTestId('pushed').first().innerText()).toBe(`${payload.title} — ${payload.body}`);
    await page.screenshot({ path: join(ARTIFACTS, 'browser-push-shown-in-page.png') });
    await cdp.detach();
  }, 120_000);

  it("a pushed notification's link (/demo/?consultation=<id>) opens that consultation's chat", async () => {
    const { consultation, client } = await createConsultation(server);
    const page = await (await newContext()).newPage();
    await signIn(page, `${demoUrl}?consultation=${encodeURIComponent(consultation.id)}`, client);
    await page
      .locator('[data-testid=chat-state]')
      .filter({ hasText: /^connected$/ })
      .waitFor();
    await page.locator(`[data-testid=consultation][data-consultation-id="${consultation.id}"].selected`).waitFor();
  }, 120_000);
});
