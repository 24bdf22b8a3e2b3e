import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import { DomainError, HTTP_STATUS_OF, InvalidError, RateLimitedError } from '@numerai/common';
import { isDatabaseUnavailable } from '@numerai/database';
import { ContextLogger, LoggerFactory } from '@numerai/logging';

/**
 * The one place REST errors get their shape: `{statusCode, error, message}` as rest.md
 * shows. Domain errors get their status from HTTP_STATUS_OF; Nest's own HttpExceptions (guards,
 * pipes, routing) keep theirs. A database that is not serving is a 503 (retry later); any
 * other unknown error is logged and becomes a bare 500 that reveals nothing.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger: ContextLogger;

  constructor(loggers: LoggerFactory) {
    this.logger = loggers.forContext('HttpExceptionFilter');
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof DomainError) {
      const status = HTTP_STATUS_OF[exception.kind];
      if (exception instanceof RateLimitedError) {
        response.setHeader('Retry-After', String(Math.max(1, Math.ceil(exception.retryAfterMs / 1000))));
      }
      if (exception.kind === 'unavailable') response.setHeader('Retry-After', '1');
      send(response, status, exception instanceof InvalidError ? exception.problems : exception.message);
      return;
    }
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const message =
        typeof body === 'object' && body !== null && 'message' in body ? (body as { message: unknown }).message : body;
      send(response, exception.getStatus(), message);
      return;
    }
    this.logger.error(exception instanceof Error ? exception : String(exception));
    if (isDatabaseUnavailable(exception)) {
      response.setHeader('Retry-After', '1');
      send(response, HttpStatus.SERVICE_UNAVAILABLE, 'The database is unavailable right now; retry shortly');
      return;
    }
    send(response, HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error');
  }
}

function send(response: Response, status: number, message: unknown): void {
  response.status(status).json({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message });
}
