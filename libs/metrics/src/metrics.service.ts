import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics } from 'prom-client';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { metricsRegistry } from './realtime-metrics';

/** Something to refresh right before a scrape (e.g. the dependency health gauges). */
export type ScrapeCollector = () => Promise<void>;

let defaultMetricsRegistered = false;

/** Serialises the registry for /metrics, after running this app's collectors. */
@Injectable()
export class Metrics {
  private readonly logger: ContextLogger;
  private readonly collectors: ScrapeCollector[] = [];

  constructor(loggers: LoggerFactory) {
    this.logger = loggers.forContext('Metrics');
    // Process metrics (CPU, memory, event-loop lag, handles) once per process: registering twice throws.
    if (!defaultMetricsRegistered) {
      defaultMetricsRegistered = true;
      collectDefaultMetrics({ register: metricsRegistry });
    }
  }

  addCollector(collector: ScrapeCollector): void {
    this.collectors.push(collector);
  }

  get contentType(): string {
    return metricsRegistry.contentType;
  }

  async scrape(): Promise<string> {
    const results = await Promise.allSettled(this.collectors.map((collect) => collect()));
    for (const result of results) {
      if (result.status === 'rejected') {
        this.logger.warn(`a metrics collector failed: ${String(result.reason)}`);
      }
    }
    return metricsRegistry.metrics();
  }
}
