import { createServer } from 'node:net';
import { portProblem } from '@numerai/config';

/**
 * Checked before the app is built, so a taken port stops start-up with one line and nothing
 * claims to have started. (Another process can still take it in between; main.ts and the
 * metrics listener map that listen error to the same line.)
 */
export async function assertPortFree(setting: string, port: number, host: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => reject(portProblem(setting, port, error) ?? error));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
