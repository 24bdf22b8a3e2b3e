// Builds a library of this repo (libs/client, libs/react) as ESM and CommonJS with type
// declarations: tsc twice, then tsc-alias rewrites the @numerai/* path aliases to relative
// paths and adds the .js extensions Node's ESM loader needs.
// Usage: node libs/client/scripts/build.mjs libs/client [libs/react …]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const tscAlias = join(require.resolve('tsc-alias/package.json'), '..', 'dist', 'bin', 'index.js');

for (const lib of process.argv.slice(2)) {
  const dir = resolve(lib);
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  for (const [flavour, type] of [
    ['esm', 'module'],
    ['cjs', 'commonjs'],
  ]) {
    const project = join(dir, `tsconfig.${flavour}.json`);
    execFileSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
    execFileSync(process.execPath, [tscAlias, '-p', project], { stdio: 'inherit' });
    mkdirSync(join(dir, 'dist', flavour), { recursive: true });
    writeFileSync(join(dir, 'dist', flavour, 'package.json'), `${JSON.stringify({ type }, null, 2)}\n`);
  }
  process.stdout.write(`built ${lib}/dist (esm + cjs + .d.ts)\n`);
}
