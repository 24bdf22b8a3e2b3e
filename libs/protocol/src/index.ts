export * from './frames';
export * from './endpoints';
export * from './schema';
