export * from './metrics.controller';
export * from './metrics.module';
export * from './metrics.service';
export * from './realtime-metrics';
export * from './metrics-listener';
