import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConsultationsService, type UnreadCounter } from '@numerai/consultations';
import { ChatMessageEntity } from './chat-message.entity';
import { ChatReadMarkerEntity } from './chat-read-marker.entity';

/** Answers the consultations list's `unread_count` from the chat's own tables. */
@Injectable()
export class ChatUnreadCounter implements UnreadCounter, OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly consultations: ConsultationsService,
  ) {}

  onModuleInit(): void {
    this.consultations.useUnreadCounter(this);
  }

  /**
   * The user's unread count in each of these consultations' chats — messages of the other
   * participant after the user's read marker, by seq — in one grouped query (never one per item).
   * Consultations with nothing unread are absent from the map.
   */
  async unreadCounts(userId: string, consultationIds: string[]): Promise<Map<string, number>> {
    if (consultationIds.length === 0) return new Map();
    const rows = await this.dataSource
      .createQueryBuilder(ChatMessageEntity, 'm')
      .select('m.consultation_id', 'consultation_id')
      .addSelect('COUNT(*)', 'count')
      .leftJoin(ChatReadMarkerEntity, 'r', 'r.consultation_id = m.consultation_id AND r.user_id = :userId', { userId })
      .where('m.consultation_id IN (:...consultationIds)', { consultationIds })
      .andWhere('m.sender_id <> :userId AND m.seq > COALESCE(r.last_read_seq, 0)', { userId })
      .groupBy('m.consultation_id')
      .getRawMany<{ consultation_id: string; count: string | number }>();
    return new Map(rows.map((row) => [row.consultation_id, Number(row.count)]));
  }
}
