export * from './live-sessions.module';
export * from './live-session.entity';
export * from './live-sessions.schema';
