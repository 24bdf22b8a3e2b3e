import { join } from 'node:path';
import { sqliteWorkerFile } from './sqlite-thread';

describe('sqliteWorkerFile', () => {
  it('refuses a worker module the build did not emit, naming the file it looked for', () => {
    // From the sources the worker is the .ts file; from dist/ it would be the .js one.
    const base = join(__dirname, 'no-such.worker');
    expect(() => sqliteWorkerFile(base)).toThrow(`SQLite worker module not found: ${base}.ts`);
  });

  it('finds a worker module that exists', () => {
    const base = join(__dirname, 'sqlite-checkpoint.worker');
    expect(sqliteWorkerFile(base)).toBe(`${base}.ts`);
  });
});
