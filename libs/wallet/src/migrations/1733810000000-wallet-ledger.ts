import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/** The platform's own accounts (libs/wallet): fixed ids, so every instance and migration agrees on them. */
export const PLATFORM_ACCOUNT_ID = '00000000-0000-7000-8000-000000000001';
export const PROVIDER_ACCOUNT_ID = '00000000-0000-7000-8000-000000000002';

/**
 * Issue 28 (libs/wallet): an append-only double-entry ledger. A transfer (one idempotency key,
 * unique) is a pair of entries that sum to zero; an account's balance is the sum of its entries.
 * Amounts are integer minor units: bigint on PostgreSQL; on SQLite (where any column takes any
 * value) a CHECK refuses anything but an integer.
 */
export class WalletLedger1733810000000 implements MigrationInterface {
  name = 'WalletLedger1733810000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const isPostgres = queryRunner.connection.driver.options.type === 'postgres';
    const timestamp = isPostgres ? 'timestamp' : 'datetime';
    const uuid = isPostgres ? 'uuid' : 'varchar';
    const integer = (column: string) => (isPostgres ? 'TRUE' : `typeof(${column}) = 'integer'`);

    await queryRunner.createTable(
      new Table({
        name: 'wallet_accounts',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'kind', type: 'varchar', length: '16' },
          // Null for the platform's accounts, and for a user's once the account is erased (detached).
          { name: 'user_id', type: uuid, isNullable: true },
          { name: 'created_at', type: timestamp },
          { name: 'detached_at', type: timestamp, isNullable: true },
        ],
        checks: [{ name: 'ck_wallet_accounts_kind', expression: "kind IN ('user', 'platform', 'provider')" }],
        indices: [new TableIndex({ name: 'uq_wallet_accounts_user', columnNames: ['user_id'], isUnique: true })],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_wallet_accounts_user',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'wallet_transfers',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'idempotency_key', type: 'varchar', length: '200' },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'amount_minor', type: 'bigint' },
          { name: 'currency', type: 'varchar', length: '3' },
          { name: 'created_at', type: timestamp },
        ],
        checks: [
          { name: 'ck_wallet_transfers_amount', expression: `amount_minor > 0 AND ${integer('amount_minor')}` },
          {
            name: 'ck_wallet_transfers_kind',
            expression: "kind IN ('top_up', 'grant', 'charge', 'refund')",
          },
        ],
        indices: [
          new TableIndex({ name: 'uq_wallet_transfers_key', columnNames: ['idempotency_key'], isUnique: true }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'wallet_entries',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'transfer_id', type: uuid },
          { name: 'account_id', type: uuid },
          // Signed: credit > 0, debit < 0.
          { name: 'amount_minor', type: 'bigint' },
          { name: 'created_at', type: timestamp },
        ],
        checks: [{ name: 'ck_wallet_entries_amount', expression: `amount_minor <> 0 AND ${integer('amount_minor')}` }],
        indices: [
          new TableIndex({ name: 'idx_wallet_entries_account', columnNames: ['account_id', 'id'] }),
          new TableIndex({ name: 'idx_wallet_entries_transfer', columnNames: ['transfer_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_wallet_entries_transfer',
            columnNames: ['transfer_id'],
            referencedTableName: 'wallet_transfers',
            referencedColumnNames: ['id'],
          }),
          new TableForeignKey({
            name: 'fk_wallet_entries_account',
            columnNames: ['account_id'],
            referencedTableName: 'wallet_accounts',
            referencedColumnNames: ['id'],
          }),
        ],
      }),
    );
    const now = new Date();
    for (const [id, kind] of [
      [PLATFORM_ACCOUNT_ID, 'platform'],
      [PROVIDER_ACCOUNT_ID, 'provider'],
    ]) {
      await queryRunner.query(
        `INSERT INTO wallet_accounts (id, kind, created_at) VALUES (${isPostgres ? '$1, $2, $3' : '?, ?, ?'})`,
        [id, kind, isPostgres ? now : now.toISOString().replace('T', ' ').slice(0, 23)],
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('wallet_entries');
    await queryRunner.dropTable('wallet_transfers');
    await queryRunner.dropTable('wallet_accounts');
  }
}
