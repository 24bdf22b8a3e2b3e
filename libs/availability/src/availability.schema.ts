import type { FeatureSchema } from '@numerai/database';
import { NumerologistAvailability1733800000000 } from './migrations/1733800000000-numerologist-availability';
import { NumerologistAvailabilityEntity } from './numerologist-availability.entity';

/** Availability's table (numerologist_availability) and the migration that builds it. */
export const AVAILABILITY_SCHEMA: FeatureSchema = {
  entities: [NumerologistAvailabilityEntity],
  migrations: [NumerologistAvailability1733800000000],
};
