export * from './daily-reading.job';
export * from './numerology';
export * from './reading.view';
export * from './readings.module';
export * from './readings.service';
export * from './reading.entity';
export * from './readings.schema';
