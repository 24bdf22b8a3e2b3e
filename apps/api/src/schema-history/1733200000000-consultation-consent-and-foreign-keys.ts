import { MigrationInterface, QueryRunner, TableForeignKey, TableIndex } from 'typeorm';

const OPEN = `status IN ('scheduled', 'active')`;

/** Every reference of the data model, parents before children (SQLite rebuilds each table to add them). */
const FOREIGN_KEYS: { table: string; keys: TableForeignKey[] }[] = [
  {
    table: 'consultations',
    keys: [
      fk('fk_consultations_user', 'user_id', 'users', 'RESTRICT'),
      fk('fk_consultations_numerologist', 'numerologist_id', 'users', 'RESTRICT'),
    ],
  },
  {
    table: 'chat_messages',
    keys: [
      fk('fk_chat_messages_consultation', 'consultation_id', 'consultations', 'CASCADE'),
      fk('fk_chat_messages_sender', 'sender_id', 'users', 'RESTRICT'),
    ],
  },
  {
    table: 'chat_read_markers',
    keys: [
      fk('fk_chat_read_markers_consultation', 'consultation_id', 'consultations', 'CASCADE'),
      fk('fk_chat_read_markers_user', 'user_id', 'users', 'CASCADE'),
    ],
  },
  { table: 'notifications', keys: [fk('fk_notifications_user', 'user_id', 'users', 'CASCADE')] },
];

function fk(name: string, column: string, referencedTable: string, onDelete: 'CASCADE' | 'RESTRICT') {
  return new TableForeignKey({
    name,
    columnNames: [column],
    referencedTableName: referencedTable,
    referencedColumnNames: ['id'],
    onDelete,
  });
}

/**
 * Consent (issue 17): one open consultation per client–numerologist pair, as a partial
 * unique index so racing POSTs cannot both insert; and foreign keys for every reference.
 * Data an older version could have left is repaired first, so the upgrade needs no manual
 * step: older duplicate open consultations of a pair are cancelled (the newest stays
 * open), and rows pointing at nothing are removed.
 */
export class ConsultationConsentAndForeignKeys1733200000000 implements MigrationInterface {
  name = 'ConsultationConsentAndForeignKeys1733200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE consultations SET status = 'cancelled' WHERE ${OPEN} AND EXISTS (
         SELECT 1 FROM consultations newer
         WHERE newer.user_id = consultations.user_id AND newer.numerologist_id = consultations.numerologist_id
           AND newer.${OPEN} AND newer.id > consultations.id)`,
    );
    await queryRunner.createIndex(
      'consultations',
      new TableIndex({
        name: 'uq_consultations_open_pair',
        columnNames: ['user_id', 'numerologist_id'],
        isUnique: true,
        where: OPEN,
      }),
    );

    const orphans = [
      `DELETE FROM consultations WHERE user_id NOT IN (SELECT id FROM users) OR numerologist_id NOT IN (SELECT id FROM users)`,
      `DELETE FROM chat_messages WHERE consultation_id NOT IN (SELECT id FROM consultations) OR sender_id NOT IN (SELECT id FROM users)`,
      `DELETE FROM chat_read_markers WHERE consultation_id NOT IN (SELECT id FROM consultations) OR user_id NOT IN (SELECT id FROM users)`,
      `DELETE FROM notifications WHERE user_id NOT IN (SELECT id FROM users)`,
    ];
    for (const sql of orphans) await queryRunner.query(sql);
    for (const { table, keys } of FOREIGN_KEYS) await queryRunner.createForeignKeys(table, keys);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { table, keys } of [...FOREIGN_KEYS].reverse()) {
      for (const key of keys) await queryRunner.dropForeignKey(table, key.name!);
    }
    await queryRunner.dropIndex('consultations', 'uq_consultations_open_pair');
  }
}
