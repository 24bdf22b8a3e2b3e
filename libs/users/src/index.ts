export * from './user.view';
export * from './users.module';
export * from './users.service';
export * from './user.entity';
export * from './users.schema';
