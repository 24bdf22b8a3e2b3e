export { createTestDatabase, type TestDatabase } from '@numerai/testing';

/** For suites that only make sense on PostgreSQL: `describeIfPostgres('…', () => …)`. */
export const describeIfPostgres: jest.Describe = process.env.DATABASE_URL
  ? describe
  : (((name: string) =>
      describe.skip(`${name} (skipped: no DATABASE_URL — set it to run this suite on PostgreSQL)`, () => {
        it('needs DATABASE_URL', () => undefined);
      })) as unknown as jest.Describe);
