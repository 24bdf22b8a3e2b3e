export * from './presence.module';
export * from './presence.service';
export * from './presence-availability';
export * from './presence-store';
export * from './redis-presence-store';
