import type { MigrationInterface } from 'typeorm';

export type EntityClass = new () => object;
export type MigrationClass = new () => MigrationInterface;

/**
 * What one feature contributes to the one DataSource: the entities of the tables it owns and
 * the migrations that build them. Each feature exports one; the app collects them (this lib
 * never imports a feature, so it cannot know them).
 */
export interface FeatureSchema {
  readonly entities: readonly EntityClass[];
  readonly migrations: readonly MigrationClass[];
}

/** The timestamp TypeORM reads from a migration's class name (its last 13 digits) and orders by. */
export function migrationTimestamp(migration: MigrationClass): number {
  const digits = /(\d{13})$/.exec(migration.name);
  if (!digits) throw new Error(`Migration ${migration.name}: its class name must end with a 13-digit timestamp`);
  return Number(digits[1]);
}

/**
 * Every feature's schema as one: all entities, and all migrations oldest first. The order is
 * the timestamps' (as TypeORM applies them), so it does not depend on the order features are
 * listed in; two migrations with one timestamp would make it ambiguous, so they are refused.
 */
export function collectSchema(features: readonly FeatureSchema[]): FeatureSchema {
  const migrations = features.flatMap((feature) => feature.migrations);
  const byTimestamp = new Map<number, MigrationClass>();
  for (const migration of migrations) {
    const timestamp = migrationTimestamp(migration);
    const other = byTimestamp.get(timestamp);
    if (other) throw new Error(`Migrations ${other.name} and ${migration.name} share the timestamp ${timestamp}`);
    byTimestamp.set(timestamp, migration);
  }
  return {
    entities: features.flatMap((feature) => feature.entities),
    migrations: [...migrations].sort((a, b) => migrationTimestamp(a) - migrationTimestamp(b)),
  };
}
