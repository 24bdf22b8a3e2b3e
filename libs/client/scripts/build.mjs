// Builds the client libraries of this repo as ESM and CommonJS with type declarations:
// tsc twice per library, then tsc-alias rewrites the @numerai/protocol path alias to a
// relative path and adds the .js extensions Node's ESM loader needs.
// libs/react reaches the SDK through one module, src/sdk.ts; in its build that module is
// replaced by a re-export of the @numerai/client package (a peer dependency), so the hooks
// never bundle a second copy of the SDK.
// Usage: node libs/client/scripts/build.mjs libs/client libs/react
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const tscAlias = join(require.resolve('tsc-alias/package.json'), '..', 'dist', 'bin', 'index.js');

const EXTERNAL_SDK = {
  esm: { js: "export * from '@numerai/client';\n", dts: "export * from '@numerai/client';\n" },
  cjs: {
    js: "'use strict';\nmodule.exports = require('@numerai/client');\n",
    dts: "export * from '@numerai/client';\n",
  },
};

for (const lib of process.argv.slice(2)) {
  const dir = resolve(lib);
  const name = basename(dir);
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  for (const [flavour, type] of [
    ['esm', 'module'],
    ['cjs', 'commonjs'],
  ]) {
    const project = join(dir, `tsconfig.${flavour}.json`);
    const out = join(dir, 'dist', flavour);
    execFileSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
    execFileSync(process.execPath, [tscAlias, '-p', project], { stdio: 'inherit' });
    const seam = join(out, name, 'src', 'sdk.js');
    if (name !== 'client' && existsSync(seam)) {
      writeFileSync(seam, EXTERNAL_SDK[flavour].js);
      writeFileSync(join(out, name, 'src', 'sdk.d.ts'), EXTERNAL_SDK[flavour].dts);
      rmSync(`${seam}.map`, { force: true });
      // Only the library's own folder stays; the SDK comes from its package.
      for (const entry of readdirSync(out)) if (entry !== name) rmSync(join(out, entry), { recursive: true });
    }
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type }, null, 2)}\n`);
  }
  process.stdout.write(`built ${lib}/dist (esm + cjs + .d.ts)\n`);
}
