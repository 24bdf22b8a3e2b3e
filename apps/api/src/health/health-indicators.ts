import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type HealthState = 'up' | 'down';

/** A dependency /health reports on, e.g. Redis when it is configured. */
export abstract class HealthIndicator {
  abstract readonly name: string;
  abstract check(): Promise<HealthState>;
}

/** Injection token: the HealthIndicator[] beyond the database (empty on the embedded default). */
export const EXTRA_HEALTH_INDICATORS = Symbol('EXTRA_HEALTH_INDICATORS');

@Injectable()
export class HealthIndicators {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EXTRA_HEALTH_INDICATORS) private readonly extra: HealthIndicator[],
  ) {}

  async check(): Promise<Record<string, HealthState>> {
    const checks: Record<string, HealthState> = { database: await this.database() };
    for (const indicator of this.extra) checks[indicator.name] = await indicator.check().catch(() => 'down' as const);
    return checks;
  }

  private async database(): Promise<HealthState> {
    try {
      await this.dataSource.query('SELECT 1');
      return 'up';
    } catch {
      return 'down';
    }
  }
}
