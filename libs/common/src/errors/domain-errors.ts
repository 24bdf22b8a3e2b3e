/**
 * What went wrong, in the domain's words. Services throw these and never a transport's
 * exception; each transport maps them once: to HTTP statuses with HTTP_STATUS_OF (http-status.ts,
 * which the app's HttpExceptionFilter answers with and `@ApiErrors` documents), to `error` frames in the realtime WsExceptionFilter. Anything that is not a DomainError
 * (a dependency failing, a bug) stays unknown to both and is logged and answered as internal.
 */
export type DomainErrorKind =
  'invalid' | 'unauthenticated' | 'not_allowed' | 'not_found' | 'conflict' | 'closed' | 'rate_limited' | 'unavailable';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The base of an error that is nothing but its kind and message. */
function ofKind<K extends DomainErrorKind>(kind: K) {
  return class extends DomainError {
    readonly kind = kind;
  };
}

/** The request is malformed for the domain. `problems` keeps a list as a list (REST answers it as given). */
export class InvalidError extends DomainError {
  readonly kind = 'invalid';
  constructor(readonly problems: string | string[]) {
    super(Array.isArray(problems) ? problems.join('; ') : problems);
  }
}

/** The caller could not be identified (wrong password, spent refresh token). */
export class UnauthenticatedError extends ofKind('unauthenticated') {}

/** The caller is known but may not do this. */
export class NotAllowedError extends ofKind('not_allowed') {}

/** No such thing, or none the caller may know of (not found rather than not allowed, so as not to tell). */
export class NotFoundError extends ofKind('not_found') {}

/** The request contradicts the current state (a duplicate, a stale change, a missing prerequisite). */
export class ConflictError extends ofKind('conflict') {}

/** The thing has ended and accepts no more changes (a consultation's chat after it ended). */
export class ClosedError extends ofKind('closed') {}

/** Too much too fast; try again after `retryAfterMs`. */
export class RateLimitedError extends DomainError {
  readonly kind = 'rate_limited';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/**
 * A dependency failed and the domain knows what the caller should do about it (the message
 * says so, e.g. retry with the same client_id). Thrown only where that advice is true; an
 * unexplained failure is left unwrapped.
 */
export class UnavailableError extends ofKind('unavailable') {}
