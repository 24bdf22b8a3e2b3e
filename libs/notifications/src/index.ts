export * from './notifications.module';
export * from './notifications.repository';
export * from './notifications.service';
export * from './notification.view';
export * from './preferences/notification-types';
export * from './preferences/preferences.service';
