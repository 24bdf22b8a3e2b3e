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
