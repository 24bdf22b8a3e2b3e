export * from './config';
export * from './config.module';
export * from './startup-error';
export * from './push-config';
