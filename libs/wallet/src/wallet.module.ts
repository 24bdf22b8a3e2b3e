import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '@numerai/users';
import { AdminWalletsController } from './admin-wallets.controller';
import { WalletAccountData } from './wallet-account-data';
import { PaymentEvents } from './payment-events';
import { PaymentsWebhookController } from './payments-webhook.controller';
import { WalletController } from './wallet.controller';
import { WalletAccountEntity, WalletEntryEntity, WalletTransferEntity } from './wallet.entity';
import { WalletRepository } from './wallet.repository';
import { WalletService } from './wallet.service';

/** Users' wallets on a double-entry ledger: top-ups (provider webhooks), grants, charges, refunds. */
@Module({
  imports: [TypeOrmModule.forFeature([WalletAccountEntity, WalletTransferEntity, WalletEntryEntity]), UsersModule],
  controllers: [WalletController, AdminWalletsController, PaymentsWebhookController],
  providers: [WalletRepository, WalletService, PaymentEvents, WalletAccountData],
  // PaymentEvents: for the demo's locally signed top-ups (demo-top-up.ts), through the same verification.
  exports: [WalletService, PaymentEvents],
})
export class WalletModule {}
