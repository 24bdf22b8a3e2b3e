import type { FeatureSchema } from '@numerai/database';
import { InitialSchema1732400000000 } from './1732400000000-initial-schema';
import { StreamPositions1733000000000 } from './1733000000000-stream-positions';
import { Sessions1733100000000 } from './1733100000000-sessions';
import { ConsultationConsentAndForeignKeys1733200000000 } from './1733200000000-consultation-consent-and-foreign-keys';
import { ProductProfilesReadings1733300000000 } from './1733300000000-product-profiles-readings';
import { ErasureAndCollapsedNotifications1733780000000 } from './1733780000000-erasure-and-collapsed-notifications';

/**
 * The migrations written before each feature owned its tables that change the tables of more than
 * one feature (the initial schema, the stream positions, the foreign keys …). They cannot move into
 * one feature without being split, and splitting would change their names, which existing databases
 * record in their `migrations` table. So they stay here, frozen: the app is the one place allowed to
 * know every feature. A new migration goes into the feature that owns its table (e.g.
 * libs/chat/src/migrations), and from there into that feature's `*_SCHEMA`.
 */
export const SCHEMA_HISTORY: FeatureSchema = {
  entities: [],
  migrations: [
    InitialSchema1732400000000,
    StreamPositions1733000000000,
    Sessions1733100000000,
    ConsultationConsentAndForeignKeys1733200000000,
    ProductProfilesReadings1733300000000,
    ErasureAndCollapsedNotifications1733780000000,
  ],
};
