export * from './numerologist-availability.entity';
export * from './availability.schema';
