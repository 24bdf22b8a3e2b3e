import type { FindOptionsWhere, Repository } from 'typeorm';
import type { SqlRow, SqlStatement } from '@numerai/database';
import { jsonArray, type JsonMember } from './json-stream';
import { ascendingPages } from './repository-pages';

/** Rows an export reads per query: it holds one batch of one table at a time, whatever the history. */
export const EXPORT_BATCH = 500;

/** What erasing one account is told: whose, on which SQL dialect, and the one time it happens at. */
export interface ErasureContext {
  userId: string;
  engine: 'sqlite' | 'postgres';
  at: Date;
}

/** A feature's part of erasing an account. */
export interface AccountErasure {
  /** Run in the one erasure transaction with every other feature's (all or nothing). */
  statements: SqlStatement[];
  /**
   * Called once the transaction committed, with the rows each statement returned (same order):
   * what must be announced (sessions that ended, consultations cancelled) only once it is true.
   */
  afterCommit?: (results: SqlRow[][]) => void;
}

/**
 * A feature's share of what is stored about one user, for the account's export and erasure
 * (libs/account). Each feature keeping rows about a user provides one subclass in its module;
 * libs/account finds every provider of this type at start-up, so it reads and deletes no
 * feature's tables itself, and a feature's new table is exported and erased where it is made.
 */
export abstract class AccountDataSection {
  /**
   * The members of the export document (`GET /api/users/me/export`) this feature fills, by name.
   * Each value is plain JSON, a producer of it, or JSON text in chunks (`jsonArray` over keyset
   * pages of EXPORT_BATCH rows): nothing is read until the document reaches that member.
   */
  abstract exportMembers(userId: string): JsonMember[];

  /** The statements that erase (or anonymise) this feature's rows about the user. */
  abstract erasure(context: ErasureContext): AccountErasure;
}

/** An export member of rows: `where`'s rows by `key` ascending, each through `view`, a page of EXPORT_BATCH at a time. */
export function exportedRows<T extends object, K extends keyof T & string>(
  repository: Repository<T>,
  where: FindOptionsWhere<T>,
  key: K,
  view: (row: T) => unknown,
): AsyncGenerator<string> {
  return jsonArray(ascendingPages(repository, where, key, EXPORT_BATCH), view);
}

/** The erasure of rows only ever about the user: `DELETE FROM <table> WHERE user_id = ?`, for each table in turn. */
export function deleteUserRows(userId: string, ...tables: string[]): AccountErasure {
  return { statements: tables.map((table) => ({ sql: `DELETE FROM ${table} WHERE user_id = ?`, params: [userId] })) };
}
