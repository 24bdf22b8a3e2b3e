export * from './wallet.entity';
export * from './wallet.schema';
export { PLATFORM_ACCOUNT_ID, PROVIDER_ACCOUNT_ID } from './migrations/1733810000000-wallet-ledger';
