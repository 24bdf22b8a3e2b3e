import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { DomainErrorKind } from './domain-errors';
import { HTTP_STATUS_OF } from './http-status';

/** Every REST error's body (the app's HttpExceptionFilter writes it; rest.md shows it). */
export class ErrorBody {
  @ApiProperty({ type: 'integer', example: 404 }) statusCode!: number;
  @ApiProperty({ example: 'Not Found', description: "the status' reason phrase" })
  error!: string;
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'Consultation not found',
    description: 'what went wrong; a list when several fields are invalid at once',
  })
  message!: string | string[];
}

/** When a route answers each kind of domain error, in the words its documentation uses. */
export type ApiErrorCases = Partial<Record<DomainErrorKind, string>>;

/** The OpenAPI response objects of `cases`, keyed by status: kinds sharing one (conflict, closed) share an entry. */
export function errorResponses(cases: ApiErrorCases): Map<number, ErrorResponseObject> {
  const responses = new Map<number, ErrorResponseObject>();
  for (const [kind, when] of Object.entries(cases) as [DomainErrorKind, string][]) {
    const status = HTTP_STATUS_OF[kind];
    const earlier = responses.get(status);
    responses.set(status, errorResponse(earlier ? `${earlier.description}; ${when}` : when, status));
  }
  return responses;
}

/** An OpenAPI response object answering ErrorBody. */
export interface ErrorResponseObject {
  description: string;
  headers?: Record<string, { description: string; schema: { type: 'integer' } }>;
  content: { 'application/json': { schema: { $ref: string } } };
}

/** A response of `status` answering ErrorBody, for errors outside the domain's (e.g. a body too large). */
export function errorResponse(description: string, status: number): ErrorResponseObject {
  // 429 and 503 tell when to come back (HttpExceptionFilter and the throttler guard set it).
  const retry = status === HTTP_STATUS_OF.rate_limited || status === HTTP_STATUS_OF.unavailable;
  return {
    description,
    ...(retry && {
      headers: { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' } } },
    }),
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorBody) } } },
  };
}

/**
 * Documents the domain errors a route (or every route of a controller) answers, with the status
 * HTTP_STATUS_OF gives each: `@ApiErrors({ not_found: 'no such consultation, or not yours' })`.
 * Errors every route shares (validation, authentication, rate limits) are added to the document
 * from the routes' guards and pipes by the app, not listed here.
 */
export function ApiErrors(cases: ApiErrorCases): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ErrorBody),
    ...[...errorResponses(cases)].map(([status, { description, headers }]) =>
      ApiResponse({ status, description, headers, type: ErrorBody }),
    ),
  );
}
