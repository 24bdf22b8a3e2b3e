import { Controller, Get, Header, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { Public } from '@numerai/common';
import { AUTH_ATTEMPTS, USER_BUDGET } from '@numerai/rate-limit';
import { MetricsAccessGuard } from './metrics-access.guard';
import { Metrics } from './metrics.service';

/**
 * Prometheus text format on the public listener, only with METRICS_TOKEN set and sent as a
 * bearer token (scrapers carry no user token); otherwise 404 here and served on METRICS_PORT
 * (MetricsListener). See the README's "Metrics" section.
 */
@ApiExcludeController()
@Public()
// Named throttlers must be skipped by name: a bare @SkipThrottle() only skips one called 'default'.
@SkipThrottle({ [USER_BUDGET]: true, [AUTH_ATTEMPTS]: true })
@UseGuards(MetricsAccessGuard)
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
