import { InitialSchema1732400000000 } from './1732400000000-initial-schema';
import { ProductProfilesReadings1733300000000 } from './1733300000000-product-profiles-readings';

/** Every migration, oldest first. Add new ones here; they run automatically at start-up. */
export const MIGRATIONS = [InitialSchema1732400000000, ProductProfilesReadings1733300000000];
