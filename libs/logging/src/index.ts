export * from './captured-logs';
export * from './logger';
export * from './logger-factory';
export * from './logging.module';
