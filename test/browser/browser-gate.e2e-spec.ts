import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The browser suite on a machine without Chromium, made real by pointing CHROMIUM_PATH at a
 * file that does not exist and running the suite in a jest of its own: optional by default
 * (skipped, one line saying how to install it), required when REQUIRE_BROWSER=1 (.ci/run).
 */
const ROOT = join(__dirname, '..', '..');
const MISSING = '/nonexistent/chromium';

function runBrowserSuite(env: Record<string, string>) {
  const { REQUIRE_BROWSER: _inherited, ...inherited } = process.env;
  const result = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--runInBand', '--ci', 'test/browser/demo.e2e-spec.ts'],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...inherited, CHROMIUM_PATH: MISSING, ...env } },
  );
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe('browser suite without a browser', () => {
  it('is skipped with one line saying how to install Chromium, and passes', () => {
    const { status, output } = runBrowserSuite({});
    expect(output).toContain(`skipped: ${MISSING} is missing — install Debian's chromium: apt-get install chromium`);
    expect(output).not.toContain('✕');
    expect(status).toBe(0);
  }, 120_000);

  it('fails instead when REQUIRE_BROWSER=1 (CI)', () => {
    const { status, output } = runBrowserSuite({ REQUIRE_BROWSER: '1' });
    expect(output).toContain(`REQUIRE_BROWSER=1 but ${MISSING} is missing`);
    expect(status).not.toBe(0);
  }, 120_000);
});
