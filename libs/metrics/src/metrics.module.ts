import { Global, Module } from '@nestjs/common';
import { MetricsListener } from './metrics-listener';
import { MetricsController } from './metrics.controller';
import { Metrics } from './metrics.service';

/** GET /metrics (public listener with a token, or its own METRICS_PORT listener), and the Metrics service other modules add scrape-time collectors to. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [Metrics, MetricsListener],
  exports: [Metrics],
})
export class MetricsModule {}
