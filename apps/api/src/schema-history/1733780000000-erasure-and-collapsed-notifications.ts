import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sentence each lifecycle step's system message keeps, as the chat writes it from now on
 * (libs/chat/src/lifecycle-messages.ts). Frozen here: a migration states what it did, whatever
 * the code says later.
 */
const SENTENCES: [event: string, sentence: string][] = [
  ['consultation_booked', 'booked this consultation'],
  ['consultation_started', 'started the consultation'],
  ['consultation_completed', 'marked the consultation completed'],
  ['consultation_cancelled', 'cancelled the consultation'],
];

/**
 * Issue 23: no stored copy of a user's name where the other participant reads it. System
 * messages keep only their sentence (the name is put in front when read, so an erased or renamed
 * user's old name is gone); chat notifications get the fixed title "New message" (it was "New
 * message from <name>"). And `notifications.collapse_key`: a repeat of an unread notification
 * with the same key replaces it instead of adding another (booked/cancelled loops).
 */
export class ErasureAndCollapsedNotifications1733780000000 implements MigrationInterface {
  name = 'ErasureAndCollapsedNotifications1733780000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [event, sentence] of SENTENCES) {
      await queryRunner.query(
        `UPDATE chat_messages SET content = '${sentence}' WHERE message_type = 'system' AND event = '${event}'`,
      );
    }
    await queryRunner.query(`UPDATE notifications SET title = 'New message' WHERE notification_type = 'chat_message'`);
    // Plain ALTER on both engines: on SQLite, QueryRunner.addColumn rebuilds the table.
    await queryRunner.query('ALTER TABLE notifications ADD COLUMN collapse_key varchar(160)');
    await queryRunner.query('CREATE INDEX idx_notifications_user_collapse ON notifications (user_id, collapse_key)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The names taken out of messages and titles are not put back: they were what had to go.
    await queryRunner.query('DROP INDEX idx_notifications_user_collapse');
    await queryRunner.query('ALTER TABLE notifications DROP COLUMN collapse_key');
  }
}
