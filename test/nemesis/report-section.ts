import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The "Nemesis" section of docs/reliability.md (test/hostile/report.ts renders it): what the run
 * does, and the verdict of the latest run committed under test/nemesis/results/ (run directories
 * are named by date first, so the last name is the newest).
 */
export function nemesisSection(root: string): string[] {
  const results = join(root, 'test', 'nemesis', 'results');
  const runs = existsSync(results)
    ? readdirSync(results, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && existsSync(join(results, entry.name, 'verdict.md')))
        .map((entry) => entry.name)
        .sort()
    : [];
  const lines = [
    '## Nemesis (faults on a seeded schedule)',
    '',
    '`npm run nemesis -- --minutes N [--seed S] [--cluster]` (`test/nemesis/`, described in README.md): three instances on a private PostgreSQL and Redis, every link through a proxy of the run’s own; SIGKILL/restart, SIGSTOP, Redis and PostgreSQL restarts, one-way and two-way partitions, latency, connection resets and ±2 s clock jumps on a seeded schedule while clients chat, resume, read notifications, watch presence and log out; then a quiet period and a checker over the history and the database.',
    '',
  ];
  const latest = runs.at(-1);
  if (!latest) return [...lines, 'No verdict under `test/nemesis/results/` yet.', ''];
  const verdict = readFileSync(join(results, latest, 'verdict.md'), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('# '));
  return [...lines, `Latest verdict (\`test/nemesis/results/${latest}/verdict.md\`):`, ...verdict, ''];
}
