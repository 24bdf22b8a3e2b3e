import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

const references = (name: string, column: string, table: string) =>
  new TableForeignKey({
    name,
    columnNames: [column],
    referencedTableName: table,
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
  });

/**
 * Issue 28 (libs/live-sessions): live per-minute sessions. Partial unique indexes keep one open
 * session per consultation and one running session per numerologist, whichever instance writes.
 */
export class LiveSessions1733830000000 implements MigrationInterface {
  name = 'LiveSessions1733830000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const isPostgres = queryRunner.connection.driver.options.type === 'postgres';
    const timestamp = isPostgres ? 'timestamp' : 'datetime';
    const uuid = isPostgres ? 'uuid' : 'varchar';
    const count = (name: string) => ({ name, type: 'integer', default: 0 });

    await queryRunner.createTable(
      new Table({
        name: 'live_sessions',
        columns: [
          { name: 'id', type: uuid, isPrimary: true },
          { name: 'consultation_id', type: uuid },
          { name: 'client_id', type: uuid },
          { name: 'numerologist_id', type: uuid },
          { name: 'status', type: 'varchar', length: '16' },
          count('version'),
          { name: 'rate_minor', type: 'integer' },
          { name: 'earning_minor', type: 'integer' },
          count('free_minutes'),
          count('minute_number'),
          count('minutes_charged'),
          count('amount_charged'),
          { name: 'requested_at', type: timestamp },
          { name: 'expires_at', type: timestamp },
          { name: 'started_at', type: timestamp, isNullable: true },
          { name: 'paid_until', type: timestamp, isNullable: true },
          { name: 'away_since', type: timestamp, isNullable: true },
          { name: 'paused_at', type: timestamp, isNullable: true },
          count('low_balance_warned'),
          { name: 'ended_at', type: timestamp, isNullable: true },
          { name: 'end_reason', type: 'varchar', length: '32', isNullable: true },
        ],
        checks: [
          {
            name: 'ck_live_sessions_status',
            expression: "status IN ('requested', 'active', 'paused', 'ended', 'lapsed')",
          },
        ],
        indices: [
          new TableIndex({
            name: 'uq_live_sessions_open_consultation',
            columnNames: ['consultation_id'],
            isUnique: true,
            where: "status IN ('requested', 'active', 'paused')",
          }),
          new TableIndex({
            name: 'uq_live_sessions_running_numerologist',
            columnNames: ['numerologist_id'],
            isUnique: true,
            where: "status IN ('active', 'paused')",
          }),
          new TableIndex({ name: 'idx_live_sessions_status', columnNames: ['status', 'id'] }),
          new TableIndex({ name: 'idx_live_sessions_client', columnNames: ['client_id'] }),
          new TableIndex({ name: 'idx_live_sessions_consultation', columnNames: ['consultation_id', 'requested_at'] }),
        ],
        foreignKeys: [
          references('fk_live_sessions_consultation', 'consultation_id', 'consultations'),
          references('fk_live_sessions_client', 'client_id', 'users'),
          references('fk_live_sessions_numerologist', 'numerologist_id', 'users'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('live_sessions');
  }
}
