/**
 * An error as one log line without its attached data: a failed query carries its parameters
 * (a payload's text, a subscription's keys), which must never reach the logs.
 */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}
