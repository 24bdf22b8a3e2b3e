import { createServer } from 'node:net';
import { StartupError } from '@numerai/config';

/** The one line an operator reads when the port cannot be had, or undefined for other listen errors. */
export function portProblem(port: number, error: unknown): StartupError | undefined {
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'EADDRINUSE') return new StartupError(`PORT ${port} is already in use (set PORT to another port)`);
  if (code === 'EACCES') {
    return new StartupError(`PORT ${port} needs privileges this process does not have (set PORT to another port)`);
  }
  return undefined;
}

/**
 * Checked before the app is built, so a taken port stops start-up with one line and nothing
 * claims to have started. (Another process can still take it in between; main.ts maps that
 * listen error to the same line.)
 */
export async function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => reject(portProblem(port, error) ?? error));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
