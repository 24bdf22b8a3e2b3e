import { ApiProperty } from '@nestjs/swagger';
import type { WalletTransferKind } from './wallet.entity';
import type { EntryRow } from './wallet.repository';

const KINDS: WalletTransferKind[] = ['top_up', 'grant', 'charge', 'refund', 'earning'];

/** One entry of the caller's wallet. */
export class WalletEntryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'the transfer this entry is one side of' }) transfer_id!: string;
  @ApiProperty({ enum: KINDS }) kind!: WalletTransferKind;
  @ApiProperty({ type: 'integer', description: 'minor units; credit > 0, debit < 0' }) amount!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export function toEntryView(row: EntryRow): WalletEntryView {
  return {
    id: row.id,
    transfer_id: row.transferId,
    kind: row.kind,
    amount: row.amount,
    created_at: row.createdAt.toISOString(),
  };
}

class WalletEntryPage {
  @ApiProperty({ type: [WalletEntryView] }) items!: WalletEntryView[];
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true, description: 'pass as `before` for the next page' })
  next_before!: string | null;
}

export class WalletView {
  @ApiProperty({ example: 'USD', description: 'WALLET_CURRENCY (ISO 4217)' }) currency!: string;
  @ApiProperty({ type: 'integer', description: 'minor units: the sum of every entry of the wallet' })
  balance!: number;
  @ApiProperty({ type: WalletEntryPage, description: 'newest first' }) entries!: WalletEntryPage;
}

/** The outcome of a transfer: `applied` false when its idempotency key had been used (its first result). */
export class TransferResult {
  @ApiProperty() applied!: boolean;
  @ApiProperty({ format: 'uuid' }) transfer_id!: string;
  @ApiProperty({ enum: KINDS }) kind!: WalletTransferKind;
  @ApiProperty({ type: 'integer', description: 'minor units' }) amount!: number;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}
