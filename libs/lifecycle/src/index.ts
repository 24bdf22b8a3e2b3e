export * from './lifecycle.module';
export * from './lifecycle-copy';
