import type { Database } from 'better-sqlite3';
import type { DataSource } from 'typeorm';

/** A value either engine binds the same way (a Date is stored as each engine stores timestamps). */
export type SqlValue = string | number | null | Date;

/** One statement of a write that happens all at once or not at all; `?` placeholders on both engines. */
export interface SqlStatement {
  sql: string;
  params?: SqlValue[];
}

export type SqlRow = Record<string, unknown>;

/** Which SQL dialect a statement builder writes for. */
export function engineOf(dataSource: DataSource): 'sqlite' | 'postgres' {
  return dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
}

/**
 * Runs `statements` in order in one transaction and returns, for each, the rows it returned
 * (a `SELECT` or a `RETURNING` clause; empty otherwise). Any failure rolls every statement back.
 *
 * SQLite: TypeORM shares one connection, so its asynchronous transactions would take in whatever
 * other requests run meanwhile (and roll them back with it). This one runs synchronously on the
 * driver's connection instead (nothing else runs in between) and takes the write lock at once
 * (IMMEDIATE), waiting for the chat writer thread's batch if need be. PostgreSQL: an ordinary
 * transaction on a pooled connection.
 */
export async function runInOneTransaction(dataSource: DataSource, statements: SqlStatement[]): Promise<SqlRow[][]> {
  if (engineOf(dataSource) === 'sqlite') {
    const db = (dataSource.driver as unknown as { databaseConnection: Database }).databaseConnection;
    return db
      .transaction(() =>
        statements.map((statement) => {
          const prepared = db.prepare(statement.sql);
          const params = (statement.params ?? []).map(sqliteValue);
          if (prepared.reader) return prepared.all(...params) as SqlRow[];
          prepared.run(...params);
          return [];
        }),
      )
      .immediate();
  }
  return dataSource.transaction(async (manager) => {
    const results: SqlRow[][] = [];
    for (const statement of statements) {
      const result = await manager.queryRunner!.query(numbered(statement.sql), statement.params ?? [], true);
      results.push(Array.isArray(result.records) ? (result.records as SqlRow[]) : []);
    }
    return results;
  });
}

/** SQLite keeps timestamps as TypeORM writes them: UTC text with milliseconds. */
function sqliteValue(value: SqlValue): string | number | null {
  return value instanceof Date ? value.toISOString().replace('T', ' ').slice(0, 23) : value;
}

/** PostgreSQL numbers its placeholders: the n-th `?` becomes `$n` (the statements hold no literal `?`). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
