import { join } from 'node:path';
import { startSqliteThread } from './sqlite-thread';

describe('startSqliteThread', () => {
  it('refuses a worker module the build did not emit, naming the file it looked for', () => {
    // From the sources the worker is the .ts file; from dist/ it would be the .js one.
    const base = join(__dirname, 'no-such.worker');
    expect(() => startSqliteThread(base, ':memory:', {})).toThrow(`SQLite worker module not found: ${base}.ts`);
  });
});
