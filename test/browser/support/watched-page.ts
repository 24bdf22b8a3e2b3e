import type { Browser, BrowserContext, Page } from 'playwright-core';

/** What went wrong on a page: console errors (CSP violations included), uncaught exceptions, foreign requests. */
export interface PageTrouble {
  errors: string[];
  foreignRequests: string[];
}

/**
 * A fresh page in a context of its own that records its trouble from the first request on;
 * requests to anything but `origin` are foreign. The caller closes the context.
 */
export async function openWatchedPage(
  browser: Browser,
  origin: string,
  timeoutMs: number,
): Promise<{ context: BrowserContext; page: Page; trouble: PageTrouble }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(timeoutMs);
  const trouble: PageTrouble = { errors: [], foreignRequests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') trouble.errors.push(message.text());
  });
  page.on('pageerror', (error) => trouble.errors.push(`uncaught: ${error.message}`));
  page.on('request', (request) => {
    if (new URL(request.url()).origin !== origin) trouble.foreignRequests.push(request.url());
  });
  return { context, page, trouble };
}
