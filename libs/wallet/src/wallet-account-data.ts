import { Injectable } from '@nestjs/common';
import {
  AccountDataSection,
  type AccountErasure,
  type ErasureContext,
  EXPORT_BATCH,
  jsonArray,
  jsonObject,
  type JsonMember,
  keysetPages,
} from '@numerai/common';
import { AppConfig } from '@numerai/config';
import { type EntryRow, WalletRepository } from './wallet.repository';
import { toEntryView } from './wallet.view';

/**
 * The wallet's share of an account: exported as `wallet` (currency, balance and every entry,
 * newest first, in pages of EXPORT_BATCH); on erasure the wallet is detached, not deleted.
 */
@Injectable()
export class WalletAccountData extends AccountDataSection {
  constructor(
    private readonly wallets: WalletRepository,
    private readonly config: AppConfig,
  ) {
    super();
  }

  exportMembers(userId: string): JsonMember[] {
    return [
      [
        'wallet',
        jsonObject([
          ['currency', this.config.wallet.currency],
          ['balance', () => this.balance(userId)],
          ['entries', jsonArray(this.entryPages(userId), toEntryView)],
        ]),
      ],
    ];
  }

  /**
   * Erasing a user keeps their ledger entries (accounting needs every movement, and the sum of
   * all entries must stay zero) but detaches the wallet: its user_id becomes null, so no entry
   * leads back to the person; the entries themselves never held a name, an email or a note.
   */
  erasure({ userId, at }: ErasureContext): AccountErasure {
    return {
      statements: [
        { sql: 'UPDATE wallet_accounts SET user_id = NULL, detached_at = ? WHERE user_id = ?', params: [at, userId] },
      ],
    };
  }

  private async balance(userId: string): Promise<number> {
    const account = await this.wallets.accountOf(userId);
    return account ? this.wallets.balanceOf(account.id) : 0;
  }

  /** Pages of the user's entries, newest first (entryPage answers `limit + 1` rows: a full page). */
  private async *entryPages(userId: string): AsyncGenerator<EntryRow[]> {
    const account = await this.wallets.accountOf(userId);
    if (!account) return;
    yield* keysetPages<EntryRow>(EXPORT_BATCH, (after, size) =>
      this.wallets.entryPage(account.id, { before: after?.id, limit: size - 1 }),
    );
  }
}
