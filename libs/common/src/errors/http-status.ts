import { HttpStatus } from '@nestjs/common';
import type { DomainErrorKind } from './domain-errors';

/**
 * The one table from domain errors to HTTP statuses: the app's HttpExceptionFilter answers with
 * it and `@ApiErrors` documents with it, so the OpenAPI document cannot drift from what is sent.
 */
export const HTTP_STATUS_OF: Readonly<Record<DomainErrorKind, number>> = {
  invalid: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  not_allowed: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  closed: HttpStatus.CONFLICT,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};
