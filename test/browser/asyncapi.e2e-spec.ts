/**
 * GET /api/asyncapi in a real browser (Debian's Chromium driven by playwright-core, against the
 * real server): the maintained renderer (@asyncapi/react-component's standalone bundle, served by
 * our server) parses our AsyncAPI 3.1.0 document and shows every channel and operation, under the
 * page's own Content-Security-Policy, loading nothing from anywhere but this server.
 * Skipped without Chromium unless REQUIRE_BROWSER=1, like demo.e2e-spec.ts.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, TestServer } from '../support/server';
import { describeWithBrowser } from './support/chromium';
import { CHROMIUM, launchChromium } from './support/demo-page';
import { openWatchedPage, type PageTrouble } from './support/watched-page';

interface Operation {
  action: 'send' | 'receive';
}
interface AsyncApiJson {
  asyncapi: string;
  channels: Record<string, { address: string }>;
  operations: Record<string, Operation>;
}

/** Playwright gives up before jest does, so a failure names what it waited for. */
const WAIT_MS = 45_000;
const TEST_MS = 60_000;

/** The renderer's error panel (containers/Error: a red-bordered section titled "Error: …"). */
const ERROR_PANEL = 'section.border-red-500';

describeWithBrowser(CHROMIUM, describe)('AsyncAPI page in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let document: AsyncApiJson;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    document = (await (await fetch(`${server.httpUrl}/api/asyncapi.json`)).json()) as AsyncApiJson;
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.close();
  });

  /** A fresh page that records its trouble from the first request on. */
  async function openPage(): Promise<{ page: Page; trouble: PageTrouble }> {
    const { context, page, trouble } = await openWatchedPage(browser, server.httpUrl, WAIT_MS);
    contexts.push(context);
    return { page, trouble };
  }

  it(
    'renders every channel and operation of the 3.1.0 document, with no error and nothing from elsewhere',
    async () => {
      expect(document.asyncapi).toBe('3.1.0');
      const { page, trouble } = await openPage();
      await page.goto(`${server.httpUrl}/api/asyncapi`);
      // The renderer gives each operation an element `operation-<action>-<operation id>`.
      await page.locator('#operation-send-presence_send_user_online').waitFor();

      expect(await page.title()).toBe('NumerAI real-time API (AsyncAPI)');
      await expect(page.locator('#introduction').innerText()).resolves.toContain('NumerAI real-time API');
      const rendered = await page
        .locator('[id^="operation-send-"], [id^="operation-receive-"]')
        .evaluateAll((nodes) => nodes.map((node) => node.id).filter((id) => !id.includes('/')));
      const expected = Object.entries(document.operations).map(([id, { action }]) => `operation-${action}-${id}`);
      expect(rendered.sort()).toEqual(expected.sort());
      expect(expected.length).toBeGreaterThan(20);

      const operations = await page.locator('#operations').innerText();
      for (const { address } of Object.values(document.channels)) expect(operations).toContain(address);
      // One frame of each endpoint, by the name people look for.
      for (const [message, name] of [
        ['server_chat_message', 'chat_message'],
        ['server_notification', 'notification'],
        ['server_user_online', 'user_online'],
      ]) {
        await expect(page.locator(`#message-${message}`).innerText()).resolves.toContain(name);
      }

      expect(await page.locator(ERROR_PANEL).count()).toBe(0);
      expect(trouble).toEqual({ errors: [], foreignRequests: [] });
    },
    TEST_MS,
  );

  it(
    "expanding a frame's payload shows its fields (the page stays interactive under its CSP)",
    async () => {
      const { page, trouble } = await openPage();
      await page.goto(`${server.httpUrl}/api/asyncapi`);
      const payload = page.locator('#message-server_user_online-payload');
      await payload.getByRole('button', { name: 'Expand all' }).click();
      await payload.getByText('user_name', { exact: true }).waitFor();
      await expect(payload.innerText()).resolves.toContain('user_id');
      expect(trouble).toEqual({ errors: [], foreignRequests: [] });
    },
    TEST_MS,
  );

  it(
    'a document in a version the renderer does not know shows its error panel (the checks above can fail)',
    async () => {
      const { page } = await openPage();
      await page.route(`${server.httpUrl}/api/asyncapi.json`, (route) =>
        route.fulfill({ json: { ...document, asyncapi: '3.9.0' } }),
      );
      await page.goto(`${server.httpUrl}/api/asyncapi`);
      await page.locator(ERROR_PANEL).waitFor();
      await expect(page.locator(ERROR_PANEL).innerText()).resolves.toMatch(/^Error/);
      expect(await page.locator('#operation-send-presence_send_user_online').count()).toBe(0);
    },
    TEST_MS,
  );
});
