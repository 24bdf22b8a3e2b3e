import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/** Sessions and their rotating refresh tokens; users can be blocked and erased (anonymised). */
export class Sessions1733100000000 implements MigrationInterface {
  name = 'Sessions1733100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const isPostgres = queryRunner.connection.driver.options.type === 'postgres';
    const timestamp = isPostgres ? 'timestamp' : 'datetime';
    const uuid = isPostgres ? 'uuid' : 'varchar';

    await queryRunner.addColumns('users', [
      new TableColumn({ name: 'blocked_at', type: timestamp, isNullable: true }),
      new TableColumn({ name: 'deleted_at', type: timestamp, isNullable: true }),
    ]);

    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'user_id', type: uuid },
          { name: 'created_at', type: timestamp },
          { name: 'refreshed_at', type: timestamp },
          { name: 'revoked_at', type: timestamp, isNullable: true },
          { name: 'revoked_reason', type: 'varchar', length: '32', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'idx_sessions_user', columnNames: ['user_id'] })],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'refresh_tokens',
        columns: [
          { name: 'token_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'session_id', type: uuid },
          { name: 'created_at', type: timestamp },
          { name: 'expires_at', type: timestamp },
          { name: 'spent_at', type: timestamp, isNullable: true },
        ],
        indices: [new TableIndex({ name: 'idx_refresh_tokens_session', columnNames: ['session_id'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('refresh_tokens');
    await queryRunner.dropTable('sessions');
    await queryRunner.dropColumn('users', 'deleted_at');
    await queryRunner.dropColumn('users', 'blocked_at');
  }
}
