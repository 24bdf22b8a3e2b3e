import type { FeatureSchema } from '@numerai/database';
import { WalletLedger1733810000000 } from './migrations/1733810000000-wallet-ledger';
import { WalletEarnings1733820000000 } from './migrations/1733820000000-wallet-earnings';
import { WalletAccountEntity, WalletEntryEntity, WalletTransferEntity } from './wallet.entity';

/** The wallet's ledger tables (wallet_accounts, wallet_transfers, wallet_entries) and the migrations that build them. */
export const WALLET_SCHEMA: FeatureSchema = {
  entities: [WalletAccountEntity, WalletTransferEntity, WalletEntryEntity],
  migrations: [WalletLedger1733810000000, WalletEarnings1733820000000],
};
