import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { Public } from '@numerai/common';
import { AUTH_ATTEMPTS, USER_BUDGET } from '@numerai/rate-limit';
import { Metrics } from './metrics.service';

/**
 * Prometheus text format for scrapers. Public like /health (scrapers carry no user token):
 * keep it off the public load balancer (see the README's deployment section).
 */
@ApiExcludeController()
@Public()
// Named throttlers must be skipped by name: a bare @SkipThrottle() only skips one called 'default'.
@SkipThrottle({ [USER_BUDGET]: true, [AUTH_ATTEMPTS]: true })
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Res({ passthrough: true }) res: Response): Promise<string> {
    const body = await this.metrics.scrape();
    res.type(this.metrics.contentType);
    return body;
  }
}
