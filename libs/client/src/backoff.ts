/**
 * Reconnection delays: the published 1 s, then 2^n s, each randomised by ±50 % so that
 * thousands of clients dropped by one server restart do not come back in lockstep.
 */
export interface BackoffOptions {
  /** Delay before the first retry, in milliseconds. Default 1000 (the published 1 s). */
  initialDelayMs: number;
  /** Each further retry waits this many times longer. Default 2 (the published 2^n). */
  factor: number;
  /** Upper bound of the un-randomised delay, in milliseconds. Default 30000. */
  maxDelayMs: number;
  /** Relative randomisation: 0.5 spreads each delay uniformly over [50 %, 150 %). Default 0.5. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialDelayMs: 1000,
  factor: 2,
  maxDelayMs: 30_000,
  jitter: 0.5,
};

/** The nominal (un-randomised) delay before retry number `attempt` (1-based): 1 s, 2 s, 4 s, 8 s, 16 s, … */
export function nominalDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** exponent);
}

/**
 * The randomised delay before retry number `attempt` (1-based). `random` returns a number
 * in [0, 1) like Math.random; the result lies in [nominal·(1−jitter), nominal·(1+jitter)).
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const nominal = nominalDelay(attempt, options);
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.round(nominal * (1 - jitter + 2 * jitter * random()));
}
