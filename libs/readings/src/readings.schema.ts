import type { FeatureSchema } from '@numerai/database';
import { ReadingEntity } from './reading.entity';

/** The readings feature's tables (readings). Built by the shared history in apps/api/src/schema-history. */
export const READINGS_SCHEMA: FeatureSchema = { entities: [ReadingEntity], migrations: [] };
