import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Positions (issue 13): `seq` on every chat message (per consultation) and notification (per
 * user), the counters that hand them out, and read markers compared by `seq`. Existing rows
 * are numbered in today's id order, which is the order one instance stored them in. Written
 * with the QueryRunner API plus SQL both engines accept (window functions, UPDATE … FROM).
 */
export class StreamPositions1733000000000 implements MigrationInterface {
  name = 'StreamPositions1733000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('consultations', counter('last_seq'));
    await queryRunner.addColumn('users', counter('last_notification_seq'));

    await numberStream(queryRunner, {
      table: 'chat_messages',
      partition: 'consultation_id',
      replacedIndex: 'idx_chat_messages_consultation_id',
      uniqueIndex: 'uq_chat_messages_seq',
      counter: { table: 'consultations', column: 'last_seq' },
    });
    await numberStream(queryRunner, {
      table: 'notifications',
      partition: 'user_id',
      replacedIndex: 'idx_notifications_user_id',
      uniqueIndex: 'uq_notifications_user_seq',
      counter: { table: 'users', column: 'last_notification_seq' },
    });

    await queryRunner.addColumn(
      'chat_read_markers',
      new TableColumn({ name: 'last_read_seq', type: 'integer', isNullable: true }),
    );
    await queryRunner.query(
      `UPDATE chat_read_markers SET last_read_seq = COALESCE((SELECT m.seq FROM chat_messages m
         WHERE m.id = chat_read_markers.last_read_message_id AND m.consultation_id = chat_read_markers.consultation_id), 0)`,
    );
    await setNotNull(queryRunner, 'chat_read_markers', 'last_read_seq');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('chat_read_markers', 'last_read_seq');
    await queryRunner.dropIndex('notifications', 'uq_notifications_user_seq');
    await queryRunner.dropColumn('notifications', 'seq');
    await queryRunner.createIndex(
      'notifications',
      new TableIndex({ name: 'idx_notifications_user_id', columnNames: ['user_id', 'id'] }),
    );
    await queryRunner.dropIndex('chat_messages', 'uq_chat_messages_seq');
    await queryRunner.dropColumn('chat_messages', 'seq');
    await queryRunner.createIndex(
      'chat_messages',
      new TableIndex({ name: 'idx_chat_messages_consultation_id', columnNames: ['consultation_id', 'id'] }),
    );
    await queryRunner.dropColumn('users', 'last_notification_seq');
    await queryRunner.dropColumn('consultations', 'last_seq');
  }
}

function counter(name: string): TableColumn {
  return new TableColumn({ name, type: 'integer', default: 0, isNullable: false });
}

interface Stream {
  table: string;
  /** The column whose rows form one stream (a consultation's messages, a user's notifications). */
  partition: string;
  /** The (partition, id) index that served "after id" reads; (partition, seq) serves them now. */
  replacedIndex: string;
  uniqueIndex: string;
  /** Where the stream's last position is kept (its row's id is the partition value). */
  counter: { table: string; column: string };
}

/**
 * Adds `seq`, numbers every existing row 1, 2, 3, … per partition in id order, makes it NOT
 * NULL and unique per partition, and sets each counter to its stream's last position.
 */
async function numberStream(queryRunner: QueryRunner, stream: Stream) {
  const { table, partition, counter } = stream;
  await queryRunner.addColumn(table, new TableColumn({ name: 'seq', type: 'integer', isNullable: true }));
  await queryRunner.query(
    `UPDATE ${table} SET seq = r.rn
       FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY id) AS rn FROM ${table}) AS r
      WHERE ${table}.id = r.id`,
  );
  await setNotNull(queryRunner, table, 'seq');
  await queryRunner.dropIndex(table, stream.replacedIndex);
  await queryRunner.createIndex(
    table,
    new TableIndex({ name: stream.uniqueIndex, columnNames: [partition, 'seq'], isUnique: true }),
  );
  await queryRunner.query(
    `UPDATE ${counter.table} SET ${counter.column} = COALESCE((SELECT MAX(s.seq) FROM ${table} s
       WHERE s.${partition} = ${counter.table}.id), 0)`,
  );
}

async function setNotNull(queryRunner: QueryRunner, table: string, column: string) {
  const current = (await queryRunner.getTable(table))!.findColumnByName(column)!;
  const required = current.clone();
  required.isNullable = false;
  await queryRunner.changeColumn(table, current, required);
}
