/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as ms from `now`;
 * undefined when absent or unreadable (the caller backs off on its own then).
 */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  if (!/^[A-Za-z]{3}/.test(value)) return undefined; // every HTTP-date form starts with the day's name
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential back-off for a retry without `Retry-After`: 2 s, 4 s, 8 s, … */
export function backoffMs(attempt: number): number {
  return Math.min(2000 * 2 ** Math.max(0, attempt - 1), MAX_RETRY_DELAY_MS);
}

/** A push still undelivered after waiting this long is not worth sending any more. */
export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;
