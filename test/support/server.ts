import type { Clock } from '@numerai/scheduler';
import { startTestApp, type TestApp } from '@numerai/testing';

/** The suites' name for `@numerai/testing`'s TestApp. */
export type TestServer = TestApp;

/** A real app listening on a free port with its own database; `env` overrides configuration, `clock` the time of scheduled work. */
export function startTestServer(
  env: Record<string, string> = {},
  options: { clock?: Clock } = {},
): Promise<TestServer> {
  return startTestApp({ env, clock: options.clock });
}
