import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { dependencyMetrics, Metrics } from '@numerai/metrics';

export type HealthState = 'up' | 'down';

const CHECK_TIMEOUT_MS = 2000;

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
    metrics: Metrics,
  ) {
    // The same checks feed the numerai_dependency_up gauges, refreshed on every scrape.
    metrics.addCollector(async () => {
      const checks = await this.check();
      dependencyMetrics.report(
        Object.fromEntries(Object.entries(checks).map(([name, state]) => [name, state === 'up'])),
      );
    });
  }

  async check(): Promise<Record<string, HealthState>> {
    const checks: Record<string, HealthState> = { database: await this.database() };
    for (const indicator of this.extra) checks[indicator.name] = await indicator.check().catch(() => 'down' as const);
    return checks;
  }

  /** A database that does not answer within CHECK_TIMEOUT_MS counts as down: /health must answer, not hang. */
  private async database(): Promise<HealthState> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
        }),
      ]);
      return 'up';
    } catch {
      return 'down';
    } finally {
      clearTimeout(timer);
    }
  }
}
