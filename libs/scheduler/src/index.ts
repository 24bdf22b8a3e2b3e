export * from './clock';
export * from './delivery-ledger';
export * from './job-runner';
export * from './scheduled-job';
export * from './scheduler.module';
export * from './keyset-pages';
export * from './notification-delivery.entity';
export * from './scheduler.schema';
