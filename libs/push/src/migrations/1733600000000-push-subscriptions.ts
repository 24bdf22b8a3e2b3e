import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

const cascade = (name: string, column: string, referencedTableName: string) =>
  new TableForeignKey({
    name,
    columnNames: [column],
    referencedTableName,
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
  });

/** Issue 16: Web Push subscriptions and the push outbox. */
export class PushSubscriptions1733600000000 implements MigrationInterface {
  name = 'PushSubscriptions1733600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const isPostgres = queryRunner.connection.driver.options.type === 'postgres';
    const timestamp = isPostgres ? 'timestamp' : 'datetime';
    const uuid = isPostgres ? 'uuid' : 'varchar';

    await queryRunner.createTable(
      new Table({
        name: 'push_subscriptions',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'user_id', type: uuid },
          { name: 'endpoint', type: 'varchar', length: '1024' },
          { name: 'p256dh', type: 'varchar', length: '100' },
          { name: 'auth', type: 'varchar', length: '32' },
          { name: 'expiration_time', type: 'bigint', isNullable: true },
          { name: 'created_at', type: timestamp },
        ],
        indices: [
          new TableIndex({ name: 'idx_push_subscriptions_user', columnNames: ['user_id'] }),
          new TableIndex({ name: 'uq_push_subscriptions_endpoint', columnNames: ['endpoint'], isUnique: true }),
        ],
        foreignKeys: [cascade('fk_push_subscriptions_user', 'user_id', 'users')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'push_deliveries',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'notification_id', type: uuid },
          { name: 'subscription_id', type: uuid },
          { name: 'user_id', type: uuid },
          { name: 'consultation_id', type: uuid, isNullable: true },
          { name: 'payload', type: 'text' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'due_at', type: timestamp },
          { name: 'claimed_at', type: timestamp, isNullable: true },
          { name: 'attempts', type: 'integer' },
        ],
        indices: [
          new TableIndex({
            name: 'uq_push_deliveries_notification_subscription',
            columnNames: ['notification_id', 'subscription_id'],
            isUnique: true,
          }),
          new TableIndex({ name: 'idx_push_deliveries_due', columnNames: ['state', 'due_at'] }),
        ],
        foreignKeys: [
          cascade('fk_push_deliveries_subscription', 'subscription_id', 'push_subscriptions'),
          cascade('fk_push_deliveries_notification', 'notification_id', 'notifications'),
          cascade('fk_push_deliveries_user', 'user_id', 'users'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('push_deliveries');
    await queryRunner.dropTable('push_subscriptions');
  }
}
