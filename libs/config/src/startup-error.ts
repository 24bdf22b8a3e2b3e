/**
 * A start-up failure the operator can fix (database unreachable, port taken, …). Its message
 * is one line saying what is wrong and which setting to change; entry points print it as is,
 * without a stack trace, and exit non-zero.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/**
 * The one line an operator reads when the port a setting names (`PORT`, `METRICS_PORT`) cannot
 * be had, or undefined for other listen errors.
 */
export function portProblem(setting: string, port: number, error: unknown): StartupError | undefined {
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return new StartupError(`${setting} ${port} is already in use (set ${setting} to another port)`);
  }
  if (code === 'EACCES') {
    return new StartupError(
      `${setting} ${port} needs privileges this process does not have (set ${setting} to another port)`,
    );
  }
  return undefined;
}
