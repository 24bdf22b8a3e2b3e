import type { FeatureSchema } from '@numerai/database';
import { RefreshTokenEntity, SessionEntity } from './sessions/session.entity';

/** The auth feature's tables (sessions, refresh_tokens). Built by the shared history in apps/api/src/schema-history. */
export const AUTH_SCHEMA: FeatureSchema = { entities: [SessionEntity, RefreshTokenEntity], migrations: [] };
