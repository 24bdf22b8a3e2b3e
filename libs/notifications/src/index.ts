export * from './notifications.module';
export * from './notifications.repository';
export * from './notifications.service';
export * from './notification.view';
