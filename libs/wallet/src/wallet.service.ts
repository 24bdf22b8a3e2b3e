import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  ConflictError,
  DEFAULT_PAGE_SIZE,
  InvalidError,
  NotFoundError,
  type Page,
  type PageQuery,
  toPage,
} from '@numerai/common';
import { AppConfig } from '@numerai/config';
import { engineOf, newId, runInOneTransaction, type SqlStatement, type SqlValue } from '@numerai/database';
import { EventBus } from '@numerai/events';
import { UsersService } from '@numerai/users';
import { PLATFORM_ACCOUNT_ID, PROVIDER_ACCOUNT_ID } from './migrations/1733810000000-wallet-ledger';
import { transferStatements, type Side } from './transfer-statements';
import type { WalletTransferKind } from './wallet.entity';
import { toAmount, WalletRepository } from './wallet.repository';
import { toEntryView, type TransferResult, type WalletEntryView } from './wallet.view';

/** The largest single transfer: far inside bigint and JS's safe integers, whatever is summed. */
export const MAX_AMOUNT_MINOR = 1_000_000_000;

function checkAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > MAX_AMOUNT_MINOR) {
    throw new InvalidError(`amount must be a whole number from 1 to ${MAX_AMOUNT_MINOR}`);
  }
}

/** Refused: the wallet's balance is below the amount. Nothing was written. */
export class InsufficientFundsError extends ConflictError {
  constructor() {
    super('Insufficient funds');
  }
}

/** One transfer of a settlement: a charge (user → platform), an earning or a refund (platform → user). */
export interface SettlementPart {
  kind: Extract<WalletTransferKind, 'charge' | 'earning' | 'refund'>;
  userId: string;
  amount: number;
  key: string;
}

/**
 * Money moved together with a change of the caller's own rows, all in one transaction (e.g. a
 * live session's minute: the client's charge, the numerologist's earning and the session's
 * minute counter), so the money and the caller's state can never disagree, whatever crashes.
 */
export interface Settlement {
  /** The caller's statements that run first (PostgreSQL: lock its row, so a racing change waits). */
  first: SqlStatement[];
  /** What the caller's state must be for anything to move (a SQL boolean expression, `?` params). */
  condition: { sql: string; params: SqlValue[] };
  /** In order; a charge the balance cannot cover moves nothing (and so the caller's `then` does not run). */
  transfers: SettlementPart[];
  /**
   * The caller's statements that record it, given a SQL condition (and its params) that is true
   * exactly when every transfer's key is on the ledger: they must include it in their WHERE, and
   * the last one must return a row (RETURNING) when it changed one.
   */
  then: (moved: { sql: string; params: SqlValue[] }) => SqlStatement[];
}

const PLATFORM: Side = { account: PLATFORM_ACCOUNT_ID };
const PROVIDER: Side = { account: PROVIDER_ACCOUNT_ID };

/**
 * Users' wallets on the append-only ledger. Every movement is a transfer between two accounts
 * under an idempotency key: the same key again changes nothing and answers the first result
 * (`applied: false`); the same key for a different movement is a conflict. Money comes in from
 * the payment provider's account (top-ups) or the platform's (grants, refunds), and goes to the
 * platform's (charges), so the sum of all entries is always zero.
 *
 * Keys are namespaced by their source (`stripe:<event id>`, `grant:<admin key>`); internal callers
 * of charge/refund pass keys of their own namespace (e.g. `session:<id>:minute:<n>`).
 */
@Injectable()
export class WalletService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly wallets: WalletRepository,
    private readonly users: UsersService,
    private readonly events: EventBus,
    private readonly config: AppConfig,
  ) {}

  /** A payment the provider confirmed: provider → user. */
  topUp(userId: string, amount: number, key: string): Promise<TransferResult> {
    return this.transfer('top_up', PROVIDER, { user: userId }, amount, key);
  }

  /** An admin's credit: platform → user. */
  grant(userId: string, amount: number, key: string): Promise<TransferResult> {
    return this.transfer('grant', PLATFORM, { user: userId }, amount, key);
  }

  /**
   * Takes `amount` from the user's wallet (platform ← user). Refuses with InsufficientFundsError,
   * writing nothing, when the balance would go below zero; race-free against every other write.
   */
  charge(userId: string, amount: number, key: string): Promise<TransferResult> {
    return this.transfer('charge', { user: userId }, PLATFORM, amount, key);
  }

  /** Gives money back to the user (platform → user), e.g. a charged minute that did not happen. */
  refund(userId: string, amount: number, key: string): Promise<TransferResult> {
    return this.transfer('refund', PLATFORM, { user: userId }, amount, key);
  }

  /**
   * Runs a Settlement in one transaction; true if the caller's `then` changed its row. False
   * when the condition did not hold or a charge was short: the caller reads its state again to
   * tell which. A transfer whose key was used already is not made again (it counts as moved).
   */
  async settle(settlement: Settlement): Promise<boolean> {
    const engine = engineOf(this.dataSource);
    const at = new Date();
    const statements: SqlStatement[] = [...settlement.first];
    const moved: Settlement['condition'] = { sql: '1 = 1', params: [] };
    for (const part of settlement.transfers) {
      checkAmount(part.amount);
      const user: Side = { user: part.userId };
      const [from, to] = part.kind === 'charge' ? [user, PLATFORM] : [PLATFORM, user];
      statements.push(
        ...transferStatements(engine, {
          transferId: newId(),
          idempotencyKey: part.key,
          kind: part.kind,
          amount: part.amount,
          currency: this.config.wallet.currency,
          from,
          to,
          newAccountId: newId(),
          entryIds: [newId(), newId()],
          at,
          condition: settlement.condition,
        }).statements,
      );
      moved.sql += ' AND EXISTS (SELECT 1 FROM wallet_transfers WHERE idempotency_key = ?)';
      moved.params.push(part.key);
    }
    statements.push(...settlement.then(moved));
    const results = await runInOneTransaction(this.dataSource, statements);
    return results[results.length - 1].length > 0;
  }

  async balance(userId: string): Promise<number> {
    const account = await this.wallets.accountOf(userId);
    return account ? this.wallets.balanceOf(account.id) : 0;
  }

  /** The owner's view: balance, currency and a page of entries, newest first. */
  async view(userId: string, query: PageQuery) {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const account = await this.wallets.accountOf(userId);
    if (!account)
      return { currency: this.config.wallet.currency, balance: 0, entries: { items: [], next_before: null } };
    const [balance, rows] = await Promise.all([
      this.wallets.balanceOf(account.id),
      this.wallets.entryPage(account.id, { before: query.before, limit }),
    ]);
    const entries: Page<WalletEntryView> = toPage(rows, limit, toEntryView);
    return { currency: this.config.wallet.currency, balance, entries };
  }

  private async transfer(
    kind: WalletTransferKind,
    from: Side,
    to: Side,
    amount: number,
    key: string,
  ): Promise<TransferResult> {
    checkAmount(amount);
    const userId = 'user' in from ? from.user : (to as { user: string }).user;
    const user = await this.users.findById(userId);
    if (!user || user.deletedAt) throw new NotFoundError('User not found');
    const currency = this.config.wallet.currency;
    const at = new Date();
    const transferId = newId();
    const { statements, transferAt } = transferStatements(engineOf(this.dataSource), {
      transferId,
      idempotencyKey: key,
      kind,
      amount,
      currency,
      from,
      to,
      newAccountId: newId(),
      entryIds: [newId(), newId()],
      at,
    });
    const results = await runInOneTransaction(this.dataSource, statements);
    if (results[transferAt].length > 0) {
      if (!('user' in from)) this.events.publish('wallet.credited', { user_id: userId });
      return { applied: true, transfer_id: transferId, kind, amount, currency, created_at: at.toISOString() };
    }
    return this.earlier(kind, userId, amount, key);
  }

  /** Nothing was written: a replay of `key` (its first result), or a charge the balance could not cover. */
  private async earlier(
    kind: WalletTransferKind,
    userId: string,
    amount: number,
    key: string,
  ): Promise<TransferResult> {
    const transfer = await this.wallets.transferByKey(key);
    if (!transfer) throw new InsufficientFundsError();
    const account = await this.wallets.accountOf(userId);
    const entries = await this.wallets.entriesOfTransfer(transfer.id);
    const same =
      transfer.kind === kind &&
      toAmount(transfer.amountMinor) === amount &&
      entries.some((entry) => entry.accountId === account?.id);
    if (!same) throw new ConflictError('This idempotency key was used for a different transfer');
    return {
      applied: false,
      transfer_id: transfer.id,
      kind,
      amount,
      currency: transfer.currency,
      created_at: transfer.createdAt.toISOString(),
    };
  }
}
