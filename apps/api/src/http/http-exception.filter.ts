import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import { isDatabaseUnavailable } from '@numerai/database';

/**
 * The one place REST errors get their shape: `{statusCode, error, message}` as rest.md
 * shows. A database that is not serving is a 503 (retry later); any other unknown error is
 * logged and becomes a bare 500 that reveals nothing.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message =
        typeof body === 'object' && body !== null && 'message' in body ? (body as { message: unknown }).message : body;
      response.status(status).json({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message });
      return;
    }
    this.logger.error(exception instanceof Error ? exception : String(exception));
    if (isDatabaseUnavailable(exception)) {
      const status = HttpStatus.SERVICE_UNAVAILABLE;
      response.setHeader('Retry-After', '1');
      response.status(status).json({
        statusCode: status,
        error: STATUS_CODES[status],
        message: 'The database is unavailable right now; retry shortly',
      });
      return;
    }
    const status = HttpStatus.INTERNAL_SERVER_ERROR;
    response.status(status).json({ statusCode: status, error: STATUS_CODES[status], message: 'Internal server error' });
  }
}
