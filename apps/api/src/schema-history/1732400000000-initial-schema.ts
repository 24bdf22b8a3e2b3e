import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Written with the QueryRunner schema API rather than raw SQL so the one migration
 * history serves SQLite (embedded default) and PostgreSQL alike.
 */
export class InitialSchema1732400000000 implements MigrationInterface {
  name = 'InitialSchema1732400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const isPostgres = queryRunner.connection.driver.options.type === 'postgres';
    // What TypeORM maps a `Date` property to on each dialect, so entities and schema agree.
    const timestamp = isPostgres ? 'timestamp' : 'datetime';
    const uuid = isPostgres ? 'uuid' : 'varchar';

    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'email', type: 'varchar', length: '320', isUnique: true },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { name: 'full_name', type: 'varchar', length: '200' },
          { name: 'role', type: 'varchar', length: '16' },
          { name: 'created_at', type: timestamp },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'consultations',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'user_id', type: uuid },
          { name: 'numerologist_id', type: uuid },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'scheduled_at', type: timestamp, isNullable: true },
          { name: 'created_at', type: timestamp },
        ],
        indices: [
          new TableIndex({ name: 'idx_consultations_user', columnNames: ['user_id'] }),
          new TableIndex({ name: 'idx_consultations_numerologist', columnNames: ['numerologist_id'] }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'chat_messages',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'consultation_id', type: uuid },
          { name: 'sender_id', type: uuid },
          { name: 'content', type: 'text' },
          { name: 'message_type', type: 'varchar', length: '16' },
          { name: 'client_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'created_at', type: timestamp },
        ],
        indices: [
          new TableIndex({
            name: 'uq_chat_messages_client_id',
            columnNames: ['consultation_id', 'sender_id', 'client_id'],
            isUnique: true,
          }),
          new TableIndex({
            name: 'idx_chat_messages_consultation_created',
            columnNames: ['consultation_id', 'created_at'],
          }),
          new TableIndex({ name: 'idx_chat_messages_consultation_id', columnNames: ['consultation_id', 'id'] }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'chat_read_markers',
        columns: [
          { name: 'consultation_id', type: uuid, isPrimary: true },
          { name: 'user_id', type: uuid, isPrimary: true },
          { name: 'last_read_message_id', type: uuid },
          { name: 'read_at', type: timestamp },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'notifications',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'user_id', type: uuid },
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'message', type: 'text' },
          { name: 'notification_type', type: 'varchar', length: '64' },
          { name: 'data', type: 'text', isNullable: true },
          { name: 'is_read', type: 'boolean' },
          { name: 'read_at', type: timestamp, isNullable: true },
          { name: 'created_at', type: timestamp },
        ],
        indices: [
          new TableIndex({
            name: 'idx_notifications_user_read_created',
            columnNames: ['user_id', 'is_read', 'created_at'],
          }),
          new TableIndex({ name: 'idx_notifications_user_id', columnNames: ['user_id', 'id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['notifications', 'chat_read_markers', 'chat_messages', 'consultations', 'users']) {
      await queryRunner.dropTable(table);
    }
  }
}
