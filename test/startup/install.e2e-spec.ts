import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { minVersion, satisfies } from 'semver';

/**
 * `npm install` on the oldest Node the README promises prints no EBADENGINE: every package the
 * lock file installs accepts it. (file-type 22, which @nestjs/common 12 pulls in, wants Node 22;
 * package.json overrides it with a 21.x release.)
 */
const ROOT = join(__dirname, '..', '..');
const PNG =
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4c0000000049454e44ae426082';
const readJson = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

describe('install on Node 20', () => {
  it('every package in the lock file accepts the oldest Node of our engines field', () => {
    const oldest = minVersion(readJson('package.json').engines.node)!.version;
    const lock = readJson('package-lock.json') as { packages: Record<string, { engines?: { node?: unknown } }> };
    const refusing = Object.entries(lock.packages)
      .filter(([, pkg]) => typeof pkg.engines?.node === 'string' && !satisfies(oldest, pkg.engines.node as string))
      .map(([path, pkg]) => `${path} wants node ${pkg.engines!.node as string}`);
    expect(refusing).toEqual([]);
  });

  it("@nestjs/common's file-type check still works with the overridden release (in Node itself, as the server runs)", () => {
    // A 1×1 PNG and a text claiming to be one: what FileTypeValidator tells apart through file-type.
    const program = `
      const { FileTypeValidator } = require('@nestjs/common');
      const png = Buffer.from('${PNG}', 'hex');
      const text = Buffer.from('plain text that only claims to be a PNG');
      const validator = new FileTypeValidator({ fileType: 'image/png' });
      Promise.all([png, text].map((buffer) => validator.isValid({ buffer, mimetype: 'image/png', size: buffer.length })))
        .then((answers) => process.stdout.write(JSON.stringify(answers)));`;
    const result = spawnSync(process.execPath, ['-e', program], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([true, false]);
  }, 60_000);
});
