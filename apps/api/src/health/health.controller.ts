import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { Public } from '@numerai/common';
import { AUTH_ATTEMPTS, USER_BUDGET } from '@numerai/rate-limit';
import { HealthIndicators } from './health-indicators';

@ApiTags('operations')
@Public()
// Named throttlers must be skipped by name: a bare @SkipThrottle() only skips one called 'default'.
@SkipThrottle({ [USER_BUDGET]: true, [AUTH_ATTEMPTS]: true })
@Controller('health')
export class HealthController {
  constructor(private readonly indicators: HealthIndicators) {}

  @Get()
  @ApiOkResponse({ description: '{status:"ok", checks:{database:"up", redis?:"up"}}' })
  @ApiServiceUnavailableResponse({ description: 'a check failed; `checks` says which' })
  async health(@Res({ passthrough: true }) res: Response) {
    const checks = await this.indicators.check();
    const ok = Object.values(checks).every((state) => state === 'up');
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ok' : 'error', checks };
  }
}
