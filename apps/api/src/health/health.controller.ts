import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { Public } from '@numerai/common';
import { AUTH_ATTEMPTS, USER_BUDGET } from '@numerai/rate-limit';
import { HealthIndicators } from './health-indicators';

const HEALTH = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ok', 'error'] },
    checks: {
      type: 'object',
      description: 'by dependency: database, and redis when Redis is configured',
      additionalProperties: { type: 'string', enum: ['up', 'down'] },
    },
  },
};

@ApiTags('operations')
@Public()
// Named throttlers must be skipped by name: a bare @SkipThrottle() only skips one called 'default'.
@SkipThrottle({ [USER_BUDGET]: true, [AUTH_ATTEMPTS]: true })
@Controller('health')
export class HealthController {
  constructor(private readonly indicators: HealthIndicators) {}

  @Get()
  @ApiOperation({ summary: 'Whether this instance can serve: its database (and Redis) answer' })
  @ApiOkResponse({ schema: HEALTH, description: 'every check is up' })
  @ApiServiceUnavailableResponse({ schema: HEALTH, description: 'a check failed; `checks` says which' })
  async health(@Res({ passthrough: true }) res: Response) {
    const checks = await this.indicators.check();
    const ok = Object.values(checks).every((state) => state === 'up');
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ok' : 'error', checks };
  }
}
