export * from './domain-events';
export * from './event-bus';
export * from './event-routes';
export * from './events.module';
export * from './in-process-event-bus';
export * from './local-dispatcher';
