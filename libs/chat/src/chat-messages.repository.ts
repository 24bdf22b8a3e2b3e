import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { ChatMessageEntity, ChatReadMarkerEntity, UserEntity } from '@numerai/database';
import type { ChatMessageData } from '@numerai/protocol';
import { toChatMessageData } from './chat-message.view';
import { SqliteInsertThread } from './sqlite-insert-thread';

const INSERT_COLUMNS = 'id, consultation_id, sender_id, content, message_type, client_id, created_at';

/** Chat persistence behind domain methods; services never build queries. */
@Injectable()
export class ChatMessagesRepository implements OnApplicationShutdown {
  private readonly messages: Repository<ChatMessageEntity>;
  private readonly markers: Repository<ChatReadMarkerEntity>;
  private readonly sqlite: SqliteInsertThread | undefined;
  /** TypeORM's own conversion of a Date for this column and dialect, so raw inserts read back like ORM ones. */
  private readonly createdAtColumn: { prepare(date: Date): unknown };

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.messages = dataSource.getRepository(ChatMessageEntity);
    this.markers = dataSource.getRepository(ChatReadMarkerEntity);
    const column = dataSource.getMetadata(ChatMessageEntity).findColumnWithPropertyName('createdAt') as ColumnMetadata;
    this.createdAtColumn = { prepare: (date) => dataSource.driver.preparePersistentValue(date, column) };
    if (dataSource.options.type === 'better-sqlite3') {
      this.sqlite = new SqliteInsertThread(
        dataSource.options.database,
        `INSERT OR IGNORE INTO chat_messages (${INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
    }
  }

  /** After the gateways have let their frames in flight finish (beforeApplicationShutdown): stop the writer thread. */
  async onApplicationShutdown(): Promise<void> {
    await this.sqlite?.close();
  }

  /**
   * Stores a batch in one transaction and returns the ids actually inserted. A row whose
   * (consultation, sender, client_id) already exists is skipped by the unique index —
   * that is what makes concurrent resends, on any number of instances, store once.
   * This is the chat hot path, so it bypasses the query builder: a prepared statement on
   * SQLite's writer thread, one multi-row INSERT … RETURNING on PostgreSQL.
   */
  async insertBatch(rows: ChatMessageEntity[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const values = rows.map((row) => [
      row.id,
      row.consultationId,
      row.senderId,
      row.content,
      row.messageType,
      row.clientId,
      this.createdAtColumn.prepare(row.createdAt),
    ]);
    if (this.sqlite) return this.sqlite.insertAll(values);
    const params: unknown[] = [];
    const tuples = values.map((row) => `(${row.map((value) => `$${params.push(value)}`).join(', ')})`);
    const inserted: { id: string }[] = await this.dataSource.query(
      `INSERT INTO chat_messages (${INSERT_COLUMNS}) VALUES ${tuples.join(', ')}
       ON CONFLICT (consultation_id, sender_id, client_id) DO NOTHING RETURNING id`,
      params,
    );
    return new Set(inserted.map((row) => row.id));
  }

  /** The stored row for one idempotency key (the rare path: a resend of something already stored). */
  findByClientKey(key: { consultationId: string; senderId: string; clientId: string }) {
    return this.messages.findOneBy(key);
  }

  findInConsultation(consultationId: string, messageId: string): Promise<ChatMessageEntity | null> {
    return this.messages.findOneBy({ consultationId, id: messageId });
  }

  /** Everything stored after `afterId`, oldest first: the catch-up replay. */
  async listAfter(consultationId: string, afterId: string, limit: number): Promise<ChatMessageData[]> {
    return this.withSenderNames(
      this.messages
        .createQueryBuilder('m')
        .where('m.consultation_id = :consultationId AND m.id > :afterId', { consultationId, afterId })
        .orderBy('m.id', 'ASC')
        .limit(limit),
    );
  }

  /** Newest first, `limit + 1` rows so the caller can tell whether there is another page. */
  async pageBefore(consultationId: string, beforeId: string | undefined, limit: number): Promise<ChatMessageData[]> {
    const query = this.messages
      .createQueryBuilder('m')
      .where('m.consultation_id = :consultationId', { consultationId })
      .orderBy('m.id', 'DESC')
      .limit(limit + 1);
    if (beforeId) query.andWhere('m.id < :beforeId', { beforeId });
    return this.withSenderNames(query);
  }

  findMarker(consultationId: string, userId: string): Promise<ChatReadMarkerEntity | null> {
    return this.markers.findOneBy({ consultationId, userId });
  }

  /**
   * Moves the marker to `messageId` only if that is further than where it stands: a
   * conditional write, so two devices racing can never move it backwards. True if it moved.
   */
  async advanceMarker(consultationId: string, userId: string, messageId: string, readAt: Date): Promise<boolean> {
    if (await this.advanceExisting(consultationId, userId, messageId, readAt)) return true;
    if (await this.markers.existsBy({ consultationId, userId })) return false;
    try {
      await this.markers.insert({ consultationId, userId, lastReadMessageId: messageId, readAt });
      return true;
    } catch {
      // Another device created the marker between our check and insert: compete on the conditional update.
      return this.advanceExisting(consultationId, userId, messageId, readAt);
    }
  }

  private async advanceExisting(consultationId: string, userId: string, messageId: string, readAt: Date) {
    const result = await this.markers
      .createQueryBuilder()
      .update()
      .set({ lastReadMessageId: messageId, readAt })
      .where('consultation_id = :consultationId AND user_id = :userId AND last_read_message_id < :messageId', {
        consultationId,
        userId,
        messageId,
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
