export * from './user.view';
export * from './users.module';
export * from './users.service';
