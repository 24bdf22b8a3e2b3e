import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { WalletAccountEntity, WalletEntryEntity, WalletTransferEntity, type WalletTransferKind } from './wallet.entity';

/** A ledger entry with its transfer's kind, as lists show it. */
export interface EntryRow {
  id: string;
  transferId: string;
  kind: WalletTransferKind;
  amount: number;
  createdAt: Date;
}

/** Reads of the ledger; every write is a transfer (transfer-statements.ts). */
@Injectable()
export class WalletRepository {
  constructor(
    @InjectRepository(WalletAccountEntity) private readonly accounts: Repository<WalletAccountEntity>,
    @InjectRepository(WalletTransferEntity) private readonly transfers: Repository<WalletTransferEntity>,
    @InjectRepository(WalletEntryEntity) private readonly entries: Repository<WalletEntryEntity>,
  ) {}

  accountOf(userId: string): Promise<WalletAccountEntity | null> {
    return this.accounts.findOneBy({ userId });
  }

  /** The sum of the account's entries: the balance, by definition (nothing else stores one). */
  async balanceOf(accountId: string): Promise<number> {
    const row = await this.entries
      .createQueryBuilder('e')
      .select('COALESCE(SUM(e.amount_minor), 0)', 'balance')
      .where('e.account_id = :accountId', { accountId })
      .getRawOne<{ balance: string | number }>();
    return toAmount(row?.balance ?? 0);
  }

  transferByKey(idempotencyKey: string): Promise<WalletTransferEntity | null> {
    return this.transfers.findOneBy({ idempotencyKey });
  }

  entriesOfTransfer(transferId: string): Promise<WalletEntryEntity[]> {
    return this.entries.findBy({ transferId });
  }

  /** Newest first; `limit + 1` rows so the caller learns whether another page exists. */
  async entryPage(accountId: string, options: { before?: string; limit: number }): Promise<EntryRow[]> {
    const query = this.entries
      .createQueryBuilder('e')
      .innerJoin(WalletTransferEntity, 't', 't.id = e.transfer_id')
      .select(['e.id AS id', 'e.transfer_id AS transfer_id', 't.kind AS kind', 'e.amount_minor AS amount'])
      .addSelect('e.created_at', 'created_at')
      .where('e.account_id = :accountId', { accountId })
      .orderBy('e.id', 'DESC')
      .limit(options.limit + 1);
    if (options.before) query.andWhere('e.id < :before', { before: options.before });
    const rows = await query.getRawMany<Record<string, unknown>>();
    return rows.map((row) => ({
      id: String(row.id),
      transferId: String(row.transfer_id),
      kind: row.kind as WalletTransferKind,
      amount: toAmount(row.amount as string | number),
      createdAt: toDate(row.created_at),
    }));
  }
}

/**
 * A bigint from either engine as a JS integer: node-postgres reads bigint as text. Amounts are
 * bounded (MAX_AMOUNT_MINOR per transfer) so any real balance is far inside the safe range;
 * one that is not fails loudly rather than rounding.
 */
export function toAmount(value: string | number): number {
  const amount = Number(value);
  if (!Number.isSafeInteger(amount)) throw new Error('ledger amount outside the safe integer range');
  return amount;
}

/** A raw timestamp (a Date from PostgreSQL, UTC text from SQLite). */
function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  return new Date(`${String(value).replace(' ', 'T')}Z`);
}
