import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { ChatMessageEntity } from './chat-message.entity';
import { ChatReadMarkerEntity } from './chat-read-marker.entity';
import { ConsultationEntity } from '@numerai/consultations';
import { UserEntity } from '@numerai/users';
import type { ChatMessageData } from '@numerai/protocol';
import { toChatMessageData } from './chat-message.view';
import { SqliteInsertThread } from './sqlite-insert-thread';

/** Where a stored row landed: its position and the time the database gave it. */
export interface StoredPosition {
  seq: number;
  createdAt: Date;
}

/**
 * PostgreSQL's half of the numbering, run after the batch's consultations are locked (so the
 * snapshot sees every earlier commit of theirs): skip resends of a stored client_id, number the
 * rest per consultation in arrival order after consultations.last_seq, bump the counters, and
 * stamp `created_at` from the database's clock, never below the consultation's previous message.
 */
const PG_INSERT_NUMBERED = `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::varchar[], $6::varchar[], $7::varchar[])
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
INSERT INTO chat_messages (id, consultation_id, sender_id, content, message_type, client_id, event, created_at, seq)
SELECT n.id, n.consultation_id, n.sender_id, n.content, n.message_type, n.client_id, n.event, s.at, s.base + n.rn
  FROM numbered n JOIN stamped s ON s.id = n.consultation_id
RETURNING id, seq, created_at`;

/** Chat persistence behind domain methods; services never build queries. */
@Injectable()
export class ChatMessagesRepository implements OnApplicationShutdown {
  private readonly messages: Repository<ChatMessageEntity>;
  private readonly markers: Repository<ChatReadMarkerEntity>;
  private readonly sqlite: SqliteInsertThread | undefined;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.messages = dataSource.getRepository(ChatMessageEntity);
    this.markers = dataSource.getRepository(ChatReadMarkerEntity);
    if (dataSource.options.type === 'better-sqlite3') this.sqlite = new SqliteInsertThread(dataSource.options.database);
  }

  /** After the gateways have let their frames in flight finish (beforeApplicationShutdown): stop the writer thread. */
  async onApplicationShutdown(): Promise<void> {
    await this.sqlite?.close();
  }

  /**
   * Stores a batch in one transaction, numbering each row after its consultation's last
   * message there, and returns where the rows actually inserted landed. A row whose
   * (consultation, sender, client_id) already exists is skipped and takes no number — that
   * is what makes concurrent resends, on any number of instances, store once. This is the
   * chat hot path, so it bypasses the query builder: prepared statements on SQLite's writer
   * thread; on PostgreSQL a lock on the batch's consultations (in id order, so two batches
   * never deadlock; it orders the writers of one consultation across instances, while other
   * consultations proceed in parallel) and one statement that numbers and inserts.
   */
  async insertBatch(rows: ChatMessageEntity[]): Promise<Map<string, StoredPosition>> {
    const stored = new Map<string, StoredPosition>();
    if (rows.length === 0) return stored;
    if (this.sqlite) {
      const values = rows.map((row) => [
        row.id,
        row.consultationId,
        row.senderId,
        row.content,
        row.messageType,
        row.clientId,
        row.event ?? null,
      ]);
      for (const [id, seq, at] of await this.sqlite.insertAll(values)) {
        stored.set(id, { seq, createdAt: new Date(`${at.replace(' ', 'T')}Z`) });
      }
      return stored;
    }
    const consultationIds = [...new Set(rows.map((row) => row.consultationId))].sort();
    const inserted = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT id FROM consultations WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [
        consultationIds,
      ]);
      return (await manager.query(PG_INSERT_NUMBERED, [
        rows.map((row) => row.id),
        rows.map((row) => row.consultationId),
        rows.map((row) => row.senderId),
        rows.map((row) => row.content),
        rows.map((row) => row.messageType),
        rows.map((row) => row.clientId),
        rows.map((row) => row.event ?? null),
      ])) as { id: string; seq: number; created_at: Date }[];
    });
    for (const row of inserted) stored.set(row.id, { seq: row.seq, createdAt: row.created_at });
    return stored;
  }

  /** The stored row for one idempotency key (the rare path: a resend of something already stored). */
  findByClientKey(key: { consultationId: string; senderId: string; clientId: string }) {
    return this.messages.findOneBy(key);
  }

  findInConsultation(consultationId: string, messageId: string): Promise<ChatMessageEntity | null> {
    return this.messages.findOneBy({ consultationId, id: messageId });
  }

  /** The consultation's newest position (0 before its first message), or undefined if it does not exist. */
  async lastSeq(consultationId: string): Promise<number | undefined> {
    const row = await this.dataSource
      .getRepository(ConsultationEntity)
      .findOne({ where: { id: consultationId }, select: { id: true, lastSeq: true } });
    return row?.lastSeq;
  }

  /** Oldest first: messages with `afterSeq < seq`, at most `limit` (catch-up replay, REST `after_seq`, filling a gap). */
  listAfterSeq(consultationId: string, afterSeq: number, limit: number): Promise<ChatMessageData[]> {
    return this.withSenderNames(
      this.messages
        .createQueryBuilder('m')
        .where('m.consultation_id = :consultationId AND m.seq > :afterSeq', { consultationId, afterSeq })
        .orderBy('m.seq', 'ASC')
        .limit(limit),
    );
  }

  /** Newest first, `limit + 1` rows so the caller can tell whether there is another page. */
  async pageBefore(consultationId: string, beforeSeq: number | undefined, limit: number): Promise<ChatMessageData[]> {
    const query = this.messages
      .createQueryBuilder('m')
      .where('m.consultation_id = :consultationId', { consultationId })
      .orderBy('m.seq', 'DESC')
      .limit(limit + 1);
    if (beforeSeq !== undefined) query.andWhere('m.seq < :beforeSeq', { beforeSeq });
    return this.withSenderNames(query);
  }

  findMarker(consultationId: string, userId: string): Promise<ChatReadMarkerEntity | null> {
    return this.markers.findOneBy({ consultationId, userId });
  }

  /**
   * Moves the marker to `message` only if its position is further than where it stands: a
   * conditional write, so two devices racing can never move it backwards. True if it moved.
   */
  async advanceMarker(
    consultationId: string,
    userId: string,
    message: { id: string; seq: number },
    readAt: Date,
  ): Promise<boolean> {
    if (await this.advanceExisting(consultationId, userId, message, readAt)) return true;
    if (await this.markers.existsBy({ consultationId, userId })) return false;
    try {
      await this.markers.insert({
        consultationId,
        userId,
        lastReadMessageId: message.id,
        lastReadSeq: message.seq,
        readAt,
      });
      return true;
    } catch {
      // Another device created the marker between our check and insert: compete on the conditional update.
      return this.advanceExisting(consultationId, userId, message, readAt);
    }
  }

  private async advanceExisting(
    consultationId: string,
    userId: string,
    message: { id: string; seq: number },
    readAt: Date,
  ) {
    const result = await this.markers
      .createQueryBuilder()
      .update()
      .set({ lastReadMessageId: message.id, lastReadSeq: message.seq, readAt })
      .where('consultation_id = :consultationId AND user_id = :userId AND last_read_seq < :seq', {
        consultationId,
        userId,
        seq: message.seq,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  private async withSenderNames(query: ReturnType<Repository<ChatMessageEntity>['createQueryBuilder']>) {
    const rows = await query
      .leftJoin(UserEntity, 'u', 'u.id = m.sender_id')
      .addSelect('u.full_name', 'sender_name')
      .getRawAndEntities<{ sender_name: string | null }>();
    return rows.entities.map((message, i) => toChatMessageData(message, rows.raw[i]?.sender_name ?? ''));
  }
}
