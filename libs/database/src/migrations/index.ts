import { InitialSchema1732400000000 } from './1732400000000-initial-schema';
import { ConsultationConsentAndForeignKeys1733200000000 } from './1733200000000-consultation-consent-and-foreign-keys';

/** Every migration, oldest first. Add new ones here; they run automatically at start-up. */
export const MIGRATIONS = [InitialSchema1732400000000, ConsultationConsentAndForeignKeys1733200000000];
