export * from './account.module';
export * from './account-eraser';
export * from './account-exporter';
export * from './account-moderation';
export * from './account-data-sections';
