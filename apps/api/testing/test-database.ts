import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Where a suite's data lives. Without DATABASE_URL: a fresh SQLite file in the suite's temp
 * dir. With it: a fresh PostgreSQL database created on that server for this suite and
 * dropped afterwards, so suites never see each other's rows and leave nothing behind.
 */
export interface TestDatabase {
  env: Record<string, string>;
  kind: 'sqlite' | 'postgres';
  drop(): Promise<void>;
}

export async function createTestDatabase(dataDir: string): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    return { env: { SQLITE_PATH: `${dataDir}/numerai.sqlite` }, kind: 'sqlite', drop: async () => undefined };
  }
  const name = `numerai_test_${randomBytes(6).toString('hex')}`;
  const admin = new URL(base);
  admin.pathname = '/postgres';
  await withClient(admin.toString(), (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    kind: 'postgres',
    drop: () =>
      withClient(admin.toString(), (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
