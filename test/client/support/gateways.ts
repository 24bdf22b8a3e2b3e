import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether the real server has its WebSocket gateways yet. The SDK, hooks and browser suites
 * against the real server were written before the gateways landed; they run once AppModule
 * imports the chat, notifications and presence modules. NUMERAI_GATEWAYS=1 forces them on
 * (to see them fail meaningfully), NUMERAI_GATEWAYS=0 off.
 */
export function gatewaysWired(): boolean {
  const forced = process.env.NUMERAI_GATEWAYS;
  if (forced === '1' || forced === '0') return forced === '1';
  try {
    const appModule = readFileSync(join(__dirname, '../../../apps/api/src/app.module.ts'), 'utf8');
    return ['ChatModule', 'NotificationsModule', 'PresenceModule'].every((name) => appModule.includes(name));
  } catch {
    return false;
  }
}

/** `describe` when the gateways are wired, otherwise a skipped describe that says why. */
export const describeWithGateways: jest.Describe = gatewaysWired()
  ? describe
  : (((name: string, fn: jest.EmptyFunction) =>
      describe.skip(
        `${name} (waiting for the gateways: set NUMERAI_GATEWAYS=1 to force)`,
        fn,
      )) as unknown as jest.Describe);
