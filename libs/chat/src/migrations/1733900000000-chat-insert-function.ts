import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 26: on PostgreSQL a group-commit batch is stored by one call of `chat_insert_numbered`
 * in autocommit — one round trip where BEGIN, the lock, the insert and COMMIT took four. A
 * PL/pgSQL function is what keeps the batch's guarantees in one statement: each statement
 * inside it takes a fresh snapshot (READ COMMITTED, VOLATILE), so the insert, run after the
 * lock, sees every row an earlier writer of the same consultations committed (resends are
 * found, numbering continues from the latest `last_seq`). SQLite needs nothing: its writer
 * thread is the only writer.
 */
export class ChatInsertFunction1733900000000 implements MigrationInterface {
  name = 'ChatInsertFunction1733900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'postgres') return;
    await queryRunner.query(`
CREATE OR REPLACE FUNCTION chat_insert_numbered(
  p_id uuid[], p_consultation_id uuid[], p_sender_id uuid[], p_content text[],
  p_message_type varchar[], p_client_id varchar[], p_event varchar[]
) RETURNS TABLE (id uuid, seq integer, created_at timestamp)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
  -- The batch's consultations in id order, so two batches never deadlock; this orders the
  -- writers of one consultation across instances while other consultations proceed.
  PERFORM 1 FROM consultations c WHERE c.id = ANY(p_consultation_id) ORDER BY c.id FOR UPDATE;
  -- Skip resends of a stored client_id, number the rest per consultation in arrival order
  -- after consultations.last_seq, bump the counters, and stamp created_at from the
  -- database's clock, never below the consultation's previous message.
  RETURN QUERY
  WITH input AS (
    SELECT * FROM unnest(p_id, p_consultation_id, p_sender_id, p_content, p_message_type, p_client_id, p_event)
      WITH ORDINALITY AS t(id, consultation_id, sender_id, content, message_type, client_id, event, ord)
  ), fresh AS (
    SELECT i.* FROM input i
     WHERE i.client_id IS NULL OR NOT EXISTS (
       SELECT 1 FROM chat_messages m
        WHERE m.consultation_id = i.consultation_id AND m.sender_id = i.sender_id AND m.client_id = i.client_id)
  ), numbered AS (
    SELECT f.*, ROW_NUMBER() OVER (PARTITION BY f.consultation_id ORDER BY f.ord) AS rn FROM fresh f
  ), bumped AS (
    UPDATE consultations c SET last_seq = c.last_seq + x.n
      FROM (SELECT consultation_id, COUNT(*) AS n FROM numbered GROUP BY consultation_id) x
     WHERE c.id = x.consultation_id
    RETURNING c.id, c.last_seq - x.n AS base
  ), stamped AS (
    SELECT b.id, b.base, GREATEST(
      date_trunc('milliseconds', clock_timestamp() AT TIME ZONE 'UTC'),
      (SELECT m.created_at FROM chat_messages m WHERE m.consultation_id = b.id AND m.seq = b.base)
    ) AS at FROM bumped b
  )
  INSERT INTO chat_messages AS cm (id, consultation_id, sender_id, content, message_type, client_id, event, created_at, seq)
  SELECT n.id, n.consultation_id, n.sender_id, n.content, n.message_type, n.client_id, n.event, s.at, (s.base + n.rn)::integer
    FROM numbered n JOIN stamped s ON s.id = n.consultation_id
  RETURNING cm.id, cm.seq, cm.created_at;
END
$fn$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'postgres') return;
    await queryRunner.query(
      'DROP FUNCTION IF EXISTS chat_insert_numbered(uuid[], uuid[], uuid[], text[], varchar[], varchar[], varchar[])',
    );
  }
}
