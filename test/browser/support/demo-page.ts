import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { TestUser } from '../../support/factories';

/** What the browser suites share: Debian's Chromium, the built demo page, signing in on it. */
export const ROOT = join(__dirname, '..', '..', '..');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** `npm run build:demo`: apps/demo → apps/api/public/demo, which the API serves at /demo. */
export function buildDemo(): void {
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', 'apps/demo/vite.config.mts'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`demo build failed:\n${result.stdout}\n${result.stderr}`);
}

export async function signIn(page: Page, url: string, user: TestUser): Promise<void> {
  await page.goto(url);
  await page.locator('input[name=email]').fill(user.email);
  await page.locator('input[name=password]').fill(user.password);
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('me').waitFor();
}
