import { existsSync } from 'node:fs';

/** Why the browser suite cannot run here, or undefined when it can. */
export function missingBrowser(executable: string): string | undefined {
  return existsSync(executable)
    ? undefined
    : `${executable} is missing — install Debian's chromium: apt-get install chromium (CHROMIUM_PATH overrides the path)`;
}

/**
 * `run` when the browser exists. Otherwise the browser is optional on a developer's machine,
 * so the suite is skipped with one line saying why; with REQUIRE_BROWSER=1 (CI) it is not
 * optional, and the suite fails instead of passing by doing nothing.
 */
export function describeWithBrowser(executable: string, run: jest.Describe): jest.Describe {
  const reason = missingBrowser(executable);
  if (!reason) return run;
  if (process.env.REQUIRE_BROWSER === '1') {
    return ((name: string) =>
      describe(name, () => {
        it('needs a browser (REQUIRE_BROWSER=1)', () => {
          throw new Error(`REQUIRE_BROWSER=1 but ${reason}`);
        });
      })) as unknown as jest.Describe;
  }
  return ((name: string) => {
    process.stdout.write(`${name}: skipped: ${reason}\n`);
    describe.skip(`${name} (skipped: ${reason})`, () => {
      it('needs chromium', () => undefined);
    });
  }) as unknown as jest.Describe;
}
