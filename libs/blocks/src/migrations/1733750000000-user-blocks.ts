import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

const cascade = (name: string, column: string) =>
  new TableForeignKey({
    name,
    columnNames: [column],
    referencedTableName: 'users',
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
  });

/** Issue 23: a numerologist blocks a client (no booking, no presence, no notifications). */
export class UserBlocks1733750000000 implements MigrationInterface {
  name = 'UserBlocks1733750000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const isPostgres = queryRunner.connection.driver.options.type === 'postgres';
    const timestamp = isPostgres ? 'timestamp' : 'datetime';
    const uuid = isPostgres ? 'uuid' : 'varchar';

    await queryRunner.createTable(
      new Table({
        name: 'user_blocks',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'blocker_id', type: uuid },
          { name: 'blocked_id', type: uuid },
          { name: 'created_at', type: timestamp },
        ],
        indices: [
          new TableIndex({ name: 'uq_user_blocks_pair', columnNames: ['blocker_id', 'blocked_id'], isUnique: true }),
          new TableIndex({ name: 'idx_user_blocks_blocked', columnNames: ['blocked_id'] }),
        ],
        foreignKeys: [cascade('fk_user_blocks_blocker', 'blocker_id'), cascade('fk_user_blocks_blocked', 'blocked_id')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('user_blocks');
  }
}
