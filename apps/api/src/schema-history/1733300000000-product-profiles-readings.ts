import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/** Issue 15: profile fields, daily readings, the scheduled-notification ledger and notification preferences. */
export class ProductProfilesReadings1733300000000 implements MigrationInterface {
  name = 'ProductProfilesReadings1733300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const isPostgres = queryRunner.connection.driver.options.type === 'postgres';
    const timestamp = isPostgres ? 'timestamp' : 'datetime';
    const uuid = isPostgres ? 'uuid' : 'varchar';

    await queryRunner.addColumns('users', [
      new TableColumn({ name: 'birth_date', type: 'varchar', length: '10', isNullable: true }),
      new TableColumn({ name: 'birth_name', type: 'varchar', length: '200', isNullable: true }),
      new TableColumn({ name: 'time_zone', type: 'varchar', length: '64', isNullable: true }),
    ]);

    await queryRunner.createTable(
      new Table({
        name: 'readings',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'user_id', type: uuid },
          { name: 'local_date', type: 'varchar', length: '10' },
          { name: 'numbers', type: 'text' },
          { name: 'text', type: 'text' },
          { name: 'created_at', type: timestamp },
        ],
        indices: [
          new TableIndex({ name: 'uq_readings_user_date', columnNames: ['user_id', 'local_date'], isUnique: true }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'notification_deliveries',
        columns: [
          { name: 'dedupe_key', type: 'varchar', length: '200', isPrimary: true },
          { name: 'user_id', type: uuid },
          { name: 'notification_id', type: uuid, isNullable: true },
          { name: 'claimed_at', type: timestamp },
          { name: 'completed_at', type: timestamp, isNullable: true },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'notification_preferences',
        columns: [
          { name: 'user_id', type: uuid, isPrimary: true },
          { name: 'types', type: 'text' },
          { name: 'updated_at', type: timestamp },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['notification_preferences', 'notification_deliveries', 'readings']) {
      await queryRunner.dropTable(table);
    }
    for (const column of ['time_zone', 'birth_name', 'birth_date']) await queryRunner.dropColumn('users', column);
  }
}
