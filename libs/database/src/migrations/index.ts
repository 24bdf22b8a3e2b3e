import { InitialSchema1732400000000 } from './1732400000000-initial-schema';

/** Every migration, oldest first. Add new ones here; they run automatically at start-up. */
export const MIGRATIONS = [InitialSchema1732400000000];
