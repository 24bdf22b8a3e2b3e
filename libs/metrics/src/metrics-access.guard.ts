import { CanActivate, ExecutionContext, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppConfig } from '@numerai/config';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * `/metrics` on the public listener: absent (404) unless METRICS_TOKEN is set, and then
 * only for `Authorization: Bearer <METRICS_TOKEN>`. Metrics tell an outsider how busy the
 * service is and which dependency is down; scrapers get them on METRICS_PORT instead.
 */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(config: AppConfig) {
    this.expected = config.metrics.token ? digest(config.metrics.token) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) throw new NotFoundException('Cannot GET /metrics');
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    // Compared as digests: equal length, constant time, whatever was sent.
    if (!match || !timingSafeEqual(digest(match[1]), this.expected)) {
      throw new UnauthorizedException('A valid metrics token is required');
    }
    return true;
  }
}
