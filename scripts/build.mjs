// `npm run build` always builds; `npm start` and `npm run cli` pass `--if-stale`: they build only
// when something the build reads changed since the last build. `--check` builds nothing and
// exits 1 when a build is due (saying why), 0 when dist/ is up to date.
//
// What the build reads is fingerprinted by path, size and modification time (a stat of each file,
// no reading): apps/ and libs/ (sources, the demo, the SDK it bundles; not the unit tests, which
// the build leaves out) and the root files that
// configure the compilers and the dependencies. The fingerprint of the tree as it was when a
// successful build started is kept in dist/.build-fingerprint; a file changed during that
// build therefore differs next time and is built then.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = join(ROOT, 'dist', '.build-fingerprint');
const INPUT_DIRS = ['apps', 'libs'];
const INPUT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'ormconfig.ts'];
/** Outputs and installs inside the input folders: never inputs. */
const SKIPPED = new Set(['node_modules', 'dist', join('apps', 'api', 'public')]);
/** What `npm start` and `npm run cli` run: a build that lost them is no build. */
const OUTPUTS = [
  join('dist', 'apps', 'api', 'src', 'main.js'),
  join('dist', 'apps', 'api', 'src', 'cli.js'),
  join('apps', 'api', 'public', 'demo', 'index.html'),
];

function* files(dir) {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (SKIPPED.has(entry.name) || SKIPPED.has(path)) continue;
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile() && !entry.name.endsWith('.spec.ts')) yield path;
  }
}

function fingerprint() {
  const hash = createHash('sha256');
  const paths = [
    ...INPUT_DIRS.flatMap((dir) => [...files(dir)]),
    ...INPUT_FILES.filter((f) => existsSync(join(ROOT, f))),
  ];
  for (const path of paths.sort()) {
    const { size, mtimeMs } = statSync(join(ROOT, path));
    hash.update(`${path}\t${size}\t${mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/** Why the last build no longer stands, or undefined when it does. */
function staleness(current) {
  const missing = OUTPUTS.find((path) => !existsSync(join(ROOT, path)));
  if (missing) return `${relative(ROOT, join(ROOT, missing))} is missing`;
  if (!existsSync(STAMP)) return 'no earlier build recorded';
  if (readFileSync(STAMP, 'utf8').trim() !== current) return 'sources changed since the last build';
  return undefined;
}

const check = process.argv.includes('--check');
const current = fingerprint();
if (check || process.argv.includes('--if-stale')) {
  const reason = staleness(current);
  if (reason === undefined) {
    process.stderr.write('build: dist/ is up to date (nothing changed since the last build)\n');
    process.exit(0);
  }
  process.stderr.write(`build: ${check ? 'a build is due' : 'building'} (${reason})\n`);
  if (check) process.exit(1);
}

const result = spawnSync('npm', ['run', 'build:compile', '--silent'], { cwd: ROOT, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
mkdirSync(dirname(STAMP), { recursive: true });
writeFileSync(STAMP, `${current}\n`);
