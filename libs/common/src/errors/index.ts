export * from './domain-errors';
export * from './http-status';
export * from './api-errors';
