import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, Repository } from 'typeorm';
import { ChatMessageEntity, ChatReadMarkerEntity, UserEntity } from '@numerai/database';
import type { ChatMessageData } from '@numerai/protocol';
import { toChatMessageData } from './chat-message.view';

/** Chat persistence behind domain methods; services never build queries. */
@Injectable()
export class ChatMessagesRepository {
  private readonly messages: Repository<ChatMessageEntity>;
  private readonly markers: Repository<ChatReadMarkerEntity>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.messages = dataSource.getRepository(ChatMessageEntity);
    this.markers = dataSource.getRepository(ChatReadMarkerEntity);
  }

  /**
   * Inserts many messages in one statement (one implicit transaction). Rows whose
   * (consultation, sender, client_id) already exists are skipped by the unique index,
   * which is what makes concurrent resends on any number of instances store once.
   */
  async insertIgnoringDuplicates(rows: ChatMessageEntity[]): Promise<void> {
    await this.messages.createQueryBuilder().insert().into(ChatMessageEntity).values(rows).orIgnore().execute();
  }

  /** The stored rows for these idempotency keys (one query for a whole batch). */
  async findByClientKeys(keys: { consultationId: string; senderId: string; clientId: string }[]) {
    if (keys.length === 0) return [];
    const query = this.messages.createQueryBuilder('m');
    query.where(
      new Brackets((where) => {
        keys.forEach((key, i) =>
          where.orWhere(`(m.consultation_id = :c${i} AND m.sender_id = :s${i} AND m.client_id = :k${i})`, {
            [`c${i}`]: key.consultationId,
            [`s${i}`]: key.senderId,
            [`k${i}`]: key.clientId,
          }),
        );
      }),
    );
    return query.getMany();
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
