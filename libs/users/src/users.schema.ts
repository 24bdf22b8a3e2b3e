import type { FeatureSchema } from '@numerai/database';
import { UserEntity } from './user.entity';

/** The users feature's tables (users). Its columns were added by the shared history in apps/api/src/schema-history. */
export const USERS_SCHEMA: FeatureSchema = { entities: [UserEntity], migrations: [] };
