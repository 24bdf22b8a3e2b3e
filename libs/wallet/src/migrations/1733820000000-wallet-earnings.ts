import { MigrationInterface, QueryRunner, TableCheck } from 'typeorm';

const KIND_CHECK = 'ck_wallet_transfers_kind';

/**
 * Issue 28 (libs/wallet): a numerologist's earnings are a transfer of their own kind, `earning`
 * (platform → numerologist), so a wallet's entries tell earned money from refunds and grants.
 * SQLite cannot alter a check: TypeORM rebuilds the table (migrations run with its foreign
 * keys off, so the entries referencing it are kept as they are).
 */
export class WalletEarnings1733820000000 implements MigrationInterface {
  name = 'WalletEarnings1733820000000';

  up(queryRunner: QueryRunner): Promise<void> {
    return replaceKindCheck(queryRunner, "kind IN ('top_up', 'grant', 'charge', 'refund', 'earning')");
  }

  down(queryRunner: QueryRunner): Promise<void> {
    return replaceKindCheck(queryRunner, "kind IN ('top_up', 'grant', 'charge', 'refund')");
  }
}

async function replaceKindCheck(queryRunner: QueryRunner, expression: string): Promise<void> {
  const table = await queryRunner.getTable('wallet_transfers');
  if (!table) throw new Error('wallet_transfers is missing');
  await queryRunner.dropCheckConstraint(table, KIND_CHECK);
  await queryRunner.createCheckConstraint(table, new TableCheck({ name: KIND_CHECK, expression }));
}
