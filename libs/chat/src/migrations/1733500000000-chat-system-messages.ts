import { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 15: a `system` chat message names the lifecycle step it reports (`consultation_started`, …). */
export class ChatSystemMessages1733500000000 implements MigrationInterface {
  name = 'ChatSystemMessages1733500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Plain ALTER on both engines: on SQLite, QueryRunner.addColumn rebuilds the table (copying every message).
    await queryRunner.query('ALTER TABLE chat_messages ADD COLUMN event varchar(32)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE chat_messages DROP COLUMN event');
  }
}
