export * from './presence.module';
export * from './presence.service';
export * from './presence-store';
export * from './redis-presence-store';
