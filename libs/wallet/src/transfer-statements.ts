import type { SqlStatement, SqlValue } from '@numerai/database';
import { PLATFORM_ACCOUNT_ID, PROVIDER_ACCOUNT_ID } from './migrations/1733810000000-wallet-ledger';
import type { WalletTransferKind } from './wallet.entity';

/** Either side of a transfer: the user's wallet, or one of the platform's own accounts. */
export type Side = { user: string } | { account: typeof PLATFORM_ACCOUNT_ID | typeof PROVIDER_ACCOUNT_ID };

export interface TransferPlan {
  /** Minted by the caller: the entries are written only if the transfer row with this id was. */
  transferId: string;
  idempotencyKey: string;
  kind: WalletTransferKind;
  amount: number;
  currency: string;
  from: Side;
  to: Side;
  /** The wallet made for the user if they have none yet. */
  newAccountId: string;
  entryIds: [string, string];
  at: Date;
  /**
   * A further condition the transfer requires, checked in its insert (a SQL boolean expression
   * with `?` placeholders): e.g. that the caller's own row is still in the state the money is
   * moved for (see WalletService.settle).
   */
  condition?: { sql: string; params: SqlValue[] };
}

/**
 * One transfer as statements for runInOneTransaction: the user's wallet made if missing, then
 * the transfer row (skipped when its idempotency key exists — a replay — or, when the user pays,
 * when their balance is short), then its two entries, written only if the transfer row was.
 *
 * The balance check is race-free on both engines: SQLite runs the transaction with the write lock
 * held from its start; on PostgreSQL the paying wallet's row is locked (FOR UPDATE) first, so a
 * concurrent payment from it waits, then reads the balance including this one's entries (each
 * statement sees what committed before it ran). Only the paying user's row is locked: credits
 * cannot take a wallet below zero, and the platform's accounts are not bounded.
 */
export function transferStatements(
  engine: 'sqlite' | 'postgres',
  plan: TransferPlan,
): {
  statements: SqlStatement[];
  /** Whose result holds the inserted transfer's id (none: not applied). */ transferAt: number;
} {
  const pg = engine === 'postgres';
  const as = (type: string) => (pg ? `::${type}` : '');
  const users = [plan.from, plan.to].filter((side): side is { user: string } => 'user' in side);
  const statements: SqlStatement[] = users.map(({ user }) => ({
    sql: `INSERT INTO wallet_accounts (id, kind, user_id, created_at) VALUES (?, 'user', ?, ?) ON CONFLICT (user_id) DO NOTHING`,
    params: [plan.newAccountId, user, plan.at],
  }));
  const guards: string[] = ['1 = 1'];
  const guardParams: SqlValue[] = [];
  if ('user' in plan.from) {
    if (pg)
      statements.push({ sql: 'SELECT id FROM wallet_accounts WHERE user_id = ? FOR UPDATE', params: [plan.from.user] });
    guards.push(`(SELECT COALESCE(SUM(e.amount_minor), 0) FROM wallet_entries e JOIN wallet_accounts a ON a.id = e.account_id
              WHERE a.user_id = ?) >= ?`);
    guardParams.push(plan.from.user, plan.amount);
  }
  if (plan.condition) {
    guards.push(`(${plan.condition.sql})`);
    guardParams.push(...plan.condition.params);
  }
  const guard = guards.join(' AND ');
  const transferAt = statements.length;
  statements.push({
    sql: `INSERT INTO wallet_transfers (id, idempotency_key, kind, amount_minor, currency, created_at)
          SELECT ?${as('uuid')}, ?, ?, ?${as('bigint')}, ?, ?${as('timestamp')} WHERE ${guard}
          ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
    params: [plan.transferId, plan.idempotencyKey, plan.kind, plan.amount, plan.currency, plan.at, ...guardParams],
  });
  for (const [side, amount, entryId] of [
    [plan.from, -plan.amount, plan.entryIds[0]],
    [plan.to, plan.amount, plan.entryIds[1]],
  ] as const) {
    const [accountWhere, accountParam] = 'user' in side ? ['a.user_id = ?', side.user] : ['a.id = ?', side.account];
    statements.push({
      sql: `INSERT INTO wallet_entries (id, transfer_id, account_id, amount_minor, created_at)
            SELECT ?${as('uuid')}, t.id, a.id, ?${as('bigint')}, ?${as('timestamp')}
            FROM wallet_transfers t, wallet_accounts a WHERE t.id = ? AND ${accountWhere}`,
      params: [entryId, amount, plan.at, plan.transferId, accountParam],
    });
  }
  return { statements, transferAt };
}
