export * from './wallet.module';
export * from './wallet.service';
export * from './wallet.view';
export * from './wallet.entity';
export * from './wallet.schema';
export { PLATFORM_ACCOUNT_ID, PROVIDER_ACCOUNT_ID } from './migrations/1733810000000-wallet-ledger';
export { PAYMENTS_WEBHOOK_PATH } from './payments-webhook.controller';
export { TOP_UP_EVENT } from './payment-events';
export { DemoTopUpModule, DEMO_TOP_UP_MAX_MINOR } from './demo-top-up';
