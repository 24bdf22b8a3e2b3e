import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '@numerai/users';

// Entities of libs/wallet's ledger (migration 1733810000000-wallet-ledger). The service writes
// them with plain SQL statements (see there); these declare the schema, and read.
// The checks' full expressions are the migration's (SQLite's also insist on integers).

export type WalletAccountKind = 'user' | 'platform' | 'provider';
export type WalletTransferKind = 'top_up' | 'grant' | 'charge' | 'refund' | 'earning';

/** A user's wallet, or one of the platform's accounts (platform revenue, the payment provider). */
@Entity('wallet_accounts')
@Index('uq_wallet_accounts_user', ['userId'], { unique: true })
@Check('ck_wallet_accounts_kind', "kind IN ('user', 'platform', 'provider')")
export class WalletAccountEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: WalletAccountKind;

  /** Null for the platform's accounts and for an erased user's (detached: the entries stay). */
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ name: 'created_at' })
  createdAt!: Date;

  @Column({ name: 'detached_at', type: Date, nullable: true })
  detachedAt!: Date | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_wallet_accounts_user' })
  user?: UserEntity;
}

/** One movement of money: its idempotency key is unique; its two entries sum to zero. */
@Entity('wallet_transfers')
@Index('uq_wallet_transfers_key', ['idempotencyKey'], { unique: true })
@Check('ck_wallet_transfers_amount', 'amount_minor > 0')
@Check('ck_wallet_transfers_kind', "kind IN ('top_up', 'grant', 'charge', 'refund', 'earning')")
export class WalletTransferEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 200 })
  idempotencyKey!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: WalletTransferKind;

  /** bigint: node-postgres reads it as a string. */
  @Column({ name: 'amount_minor', type: 'bigint' })
  amountMinor!: string | number;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ name: 'created_at' })
  createdAt!: Date;
}

/** One side of a transfer on one account: credit > 0, debit < 0. Never updated, never deleted. */
@Entity('wallet_entries')
@Index('idx_wallet_entries_account', ['accountId', 'id'])
@Index('idx_wallet_entries_transfer', ['transferId'])
@Check('ck_wallet_entries_amount', 'amount_minor <> 0')
export class WalletEntryEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'transfer_id', type: 'uuid' })
  transferId!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @Column({ name: 'amount_minor', type: 'bigint' })
  amountMinor!: string | number;

  @Column({ name: 'created_at' })
  createdAt!: Date;

  @ManyToOne(() => WalletTransferEntity, { nullable: false })
  @JoinColumn({ name: 'transfer_id', foreignKeyConstraintName: 'fk_wallet_entries_transfer' })
  transfer?: WalletTransferEntity;

  @ManyToOne(() => WalletAccountEntity, { nullable: false })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_wallet_entries_account' })
  account?: WalletAccountEntity;
}
