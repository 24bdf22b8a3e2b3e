import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Inject } from '@nestjs/common';
import type { Logger } from 'pino';
import { redactUrl, ROOT_LOGGER } from '@numerai/logging';

/** One JSON line per request: method, redacted URL, status, duration. Never headers or bodies. */
@Injectable()
export class RequestLoggerMiddleware implements NestMiddleware {
  private readonly logger: Logger;

  constructor(@Inject(ROOT_LOGGER) root: Logger) {
    this.logger = root.child({ context: 'http' });
  }

  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      this.logger.info({ method: req.method, url: redactUrl(req.originalUrl), status: res.statusCode, ms }, 'request');
    });
    next();
  }
}
