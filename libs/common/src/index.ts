export * from './pagination';
export * from './principal';
export * from './storable-text';
export * from './time';
export * from './json-limits';
export * from './calendar';
export * from './errors';
export * from './preview';
