/** Throttler names: one per-user budget for everything, one per-IP budget for credential guessing. */
export const USER_BUDGET = 'user';
export const AUTH_ATTEMPTS = 'auth';

/** The storage key of a caller's budget; REST and WebSocket must produce the same one to share it. */
export function budgetKey(throttlerName: string, tracker: string): string {
  return `${throttlerName}:${tracker}`;
}

export function userTracker(userId: string): string {
  return `user:${userId}`;
}

/**
 * Class metadata: routes of this controller spend the per-IP credential budget instead of
 * the per-user one. A handler's own `false` opts it out (refresh: a 256-bit token is not
 * guessed, and counting it made a busy client's refreshes lock out its logins).
 */
export const AUTH_ATTEMPT_ROUTES = 'numerai:authAttemptRoutes';
