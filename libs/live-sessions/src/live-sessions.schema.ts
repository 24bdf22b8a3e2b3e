import type { FeatureSchema } from '@numerai/database';
import { LiveSessionEntity } from './live-session.entity';
import { LiveSessions1733830000000 } from './migrations/1733830000000-live-sessions';

/** Live sessions' table (live_sessions) and the migration that builds it. */
export const LIVE_SESSIONS_SCHEMA: FeatureSchema = {
  entities: [LiveSessionEntity],
  migrations: [LiveSessions1733830000000],
};
