import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer, type ServerProcess } from '../support/process-server';
import { waitFor } from '../support/wait-for';

/**
 * What `npm start` shows and does on a developer's machine, day after day: the configuration
 * warnings and the address, not a page of framework JSON; and no second build of a tree that
 * has not changed since the last one.
 */
const ROOT = join(__dirname, '..', '..');
const BUILD = join(ROOT, 'scripts', 'build.mjs');
const STAMP = join(ROOT, 'dist', '.build-fingerprint');

describe('first run: what start-up prints', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'numerai-first-run-'));
  });
  afterEach(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('with no JWT_SECRET nor VAPID keys: the two warnings, then "listening" with the address', async () => {
    server = await spawnServer({ JWT_SECRET: '', DATA_DIR: dataDir });
    const lines = () =>
      server!.output
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '');
    await waitFor('the "listening" line', () => lines().some((line) => line.includes('listening')));
    const listening = lines().findIndex((line) => line.includes('listening'));
    const before = lines().slice(0, listening);

    expect(lines()[listening]).toContain(`NumerAI listening on http://localhost:${server.port}`);
    expect(before).toEqual([
      expect.stringContaining('!!! JWT_SECRET is not set'),
      expect.stringContaining('!!! VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY are not set'),
    ]);
  }, 60_000);
});

describe('npm start / npm run cli: the build step', () => {
  const build = (...args: string[]) =>
    spawnSync(process.execPath, [BUILD, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });

  it('a second run with nothing changed does not rebuild; a changed input makes a build due', () => {
    // Builds only if this tree changed since the last build (npm test's pretest has just built).
    expect(build('--if-stale').status).toBe(0);
    const stamp = statSync(STAMP).mtimeMs;

    const again = build('--if-stale');
    expect(again.status).toBe(0);
    expect(again.stderr).toBe('build: dist/ is up to date (nothing changed since the last build)\n');
    expect(again.stdout).toBe('');
    expect(statSync(STAMP).mtimeMs).toBe(stamp);

    // Not a .ts file, so no compiler or test runner working in this tree picks it up meanwhile.
    const probe = join(ROOT, 'libs', `.build-probe-${process.pid}`);
    writeFileSync(probe, 'changed');
    try {
      const due = build('--check');
      expect(due.status).toBe(1);
      expect(due.stderr).toBe('build: a build is due (sources changed since the last build)\n');
    } finally {
      rmSync(probe, { force: true });
    }
    expect(build('--check').status).toBe(0);
  }, 600_000);
});
