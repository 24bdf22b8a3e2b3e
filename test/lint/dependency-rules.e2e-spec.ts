/**
 * `npm run lint:deps` fails on each kind of violation it exists for: the fixture plants one of each
 * (and a few allowed imports next to them) and runs depcruise on it with the repository's own rules.
 */
import { spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const FIXTURE = join(__dirname, 'fixtures', 'boundaries');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Runs depcruise on the fixture as `npm run lint:deps` runs it on the repository, plus `extra` flags. */
function depcruise(...extra: string[]) {
  const run = spawnSync(
    'depcruise',
    ['libs', 'apps', 'test', '--config', join(ROOT, '.dependency-cruiser.cjs'), ...extra],
    {
      cwd: FIXTURE,
      encoding: 'utf8',
      env: { ...process.env, PATH: [join(ROOT, 'node_modules', '.bin'), process.env.PATH].join(delimiter) },
    },
  );
  if (run.error) throw run.error;
  return run;
}

describe('dependency rules (.dependency-cruiser.cjs)', () => {
  it('name every planted violation, and only those', () => {
    const { summary } = JSON.parse(depcruise('--output-type', 'json').stdout) as {
      summary: { violations: Violation[] };
    };

    expect(summary.violations.map(({ rule, from, to }) => `${rule.name}: ${from} → ${to}`).sort()).toEqual([
      'generic-imports-feature: libs/common/src/index.ts → libs/chat/src/index.ts',
      'generic-imports-feature: libs/realtime/src/frames.ts → libs/auth/src/index.ts',
      'no-circular: libs/chat/src/messages.ts → libs/chat/src/writer.ts',
      'not-to-another-app: apps/api/src/main.ts → apps/demo/src/main.ts',
      'not-to-apps: libs/chat/src/reach-into-app.ts → apps/api/src/main.ts',
    ]);
  });

  it('fail the command', () => {
    const run = depcruise();

    expect(run.stdout).toContain('5 dependency violations (5 errors');
    expect(run.status).not.toBe(0);
  });
});
