/**
 * GET /api/docs (Swagger UI) in a real browser under its Content-Security-Policy: every operation
 * of the OpenAPI document shows, "Try it out" calls the API, and nothing is refused, thrown or
 * loaded from anywhere but this server. Skipped without Chromium unless REQUIRE_BROWSER=1.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { startTestServer, TestServer } from '../support/server';
import { describeWithBrowser } from './support/chromium';
import { CHROMIUM, launchChromium } from './support/demo-page';
import { openWatchedPage } from './support/watched-page';

const WAIT_MS = 45_000;
const TEST_MS = 60_000;

describeWithBrowser(CHROMIUM, describe)('Swagger UI in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it(
    'shows every operation and runs one, with no CSP refusal, error or foreign request',
    async () => {
      const openApi = (await (await fetch(`${server.httpUrl}/api/docs-json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const operations = Object.values(openApi.paths).reduce((sum, methods) => sum + Object.keys(methods).length, 0);
      const watched = await openWatchedPage(browser, server.httpUrl, WAIT_MS);
      context = watched.context;
      const { page, trouble } = watched;

      await page.goto(`${server.httpUrl}/api/docs`);
      await page.locator('.opblock').first().waitFor();
      expect(await page.locator('.opblock').count()).toBe(operations);

      const health = page.locator('.opblock-get').filter({ has: page.locator('[data-path="/health"]') });
      await health.locator('.opblock-summary').click();
      await health.getByRole('button', { name: 'Try it out' }).click();
      await health.getByRole('button', { name: 'Execute' }).click();
      const status = health.locator('.live-responses-table tr.response .response-col_status');
      await status.waitFor();
      await expect(status.innerText()).resolves.toBe('200');

      expect(trouble).toEqual({ errors: [], foreignRequests: [] });
    },
    TEST_MS,
  );
});
