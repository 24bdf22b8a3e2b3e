import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/** Issue 28 (libs/availability): a numerologist's public opt-in status and per-minute rate. */
export class NumerologistAvailability1733800000000 implements MigrationInterface {
  name = 'NumerologistAvailability1733800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const isPostgres = queryRunner.connection.driver.options.type === 'postgres';
    const timestamp = isPostgres ? 'timestamp' : 'datetime';
    const uuid = isPostgres ? 'uuid' : 'varchar';

    await queryRunner.createTable(
      new Table({
        name: 'numerologist_availability',
        columns: [
          { name: 'user_id', type: uuid, isPrimary: true },
          { name: 'status', type: 'varchar', length: '16', default: "'offline'" },
          // Integer minor units of WALLET_CURRENCY per started minute; null until the numerologist sets one.
          { name: 'rate_minor', type: 'integer', isNullable: true },
          { name: 'updated_at', type: timestamp },
        ],
        checks: [
          { name: 'ck_availability_status', expression: "status IN ('available', 'busy', 'offline')" },
          { name: 'ck_availability_rate', expression: 'rate_minor IS NULL OR rate_minor > 0' },
        ],
        indices: [new TableIndex({ name: 'idx_availability_status', columnNames: ['status', 'user_id'] })],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_availability_user',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('numerologist_availability');
  }
}
