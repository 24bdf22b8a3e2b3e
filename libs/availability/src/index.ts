export * from './availability.module';
export * from './availability.view';
export * from './numerologist-availability.entity';
export * from './availability.schema';
export * from './availability.service';
