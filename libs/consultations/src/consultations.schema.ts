import type { FeatureSchema } from '@numerai/database';
import { ConsultationEntity } from './consultation.entity';

/** The consultations feature's tables (consultations). Built by the shared history in apps/api/src/schema-history. */
export const CONSULTATIONS_SCHEMA: FeatureSchema = { entities: [ConsultationEntity], migrations: [] };
