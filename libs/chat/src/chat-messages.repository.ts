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
 * PostgreSQL's half of the numbering: one call, in autocommit, of the function the chat's
 * migration 1733900000000 created — it locks the batch's consultations, skips resends of a
 * stored client_id, numbers the rest after consultations.last_seq and inserts them.
 */
const PG_INSERT_NUMBERED =
  'SELECT id, seq, created_at FROM chat_insert_numbered($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::varchar[], $6::varchar[], $7::varchar[])';

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
   * thread; on PostgreSQL one round trip: a function that locks the batch's consultations (in
   * id order, so two batches never deadlock; it orders the writers of one consultation across
   * instances, while other consultations proceed in parallel), then numbers and inserts.
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
    const inserted = (await this.dataSource.query(PG_INSERT_NUMBERED, [
      rows.map((row) => row.id),
      rows.map((row) => row.consultationId),
      rows.map((row) => row.senderId),
      rows.map((row) => row.content),
      rows.map((row) => row.messageType),
      rows.map((row) => row.clientId),
      rows.map((row) => row.event ?? null),
    ])) as { id: string; seq: number; created_at: Date }[];
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
