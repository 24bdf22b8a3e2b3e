export * from './pagination';
export * from './principal';
export * from './time';
