import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, MoreThan, Repository } from 'typeorm';
import { newId, NotificationEntity } from '@numerai/database';

export interface NewNotification {
  /** Pre-allocated id, single-recipient `notify` only: scheduled deliveries record it first for exactly-once. */
  id?: string;
  title: string;
  message: string;
  notification_type: string;
  data?: Record<string, unknown>;
}

@Injectable()
export class NotificationsRepository {
  constructor(@InjectRepository(NotificationEntity) private readonly notifications: Repository<NotificationEntity>) {}

  async create(userId: string, input: NewNotification): Promise<NotificationEntity> {
    const [notification] = await this.createMany([userId], input);
    return notification;
  }

  /** The same notification for many users, inserted in one statement. */
  async createMany(userIds: string[], input: NewNotification): Promise<NotificationEntity[]> {
    const now = new Date();
    const rows = userIds.map((userId) =>
      Object.assign(new NotificationEntity(), {
        id: input.id ?? newId(),
        userId,
        title: input.title,
        message: input.message,
        notificationType: input.notification_type,
        data: input.data ?? null,
        isRead: false,
        readAt: null,
        createdAt: now,
      }),
    );
    if (rows.length > 0) await this.notifications.insert(rows as never);
    return rows;
  }

  /** Unread counts of many users in one grouped query. */
  async countUnreadMany(userIds: string[]): Promise<Map<string, number>> {
    const rows = await this.notifications
      .createQueryBuilder('n')
      .select('n.user_id', 'user_id')
      .addSelect('COUNT(*)', 'count')
      .where({ userId: In(userIds), isRead: false })
      .groupBy('n.user_id')
      .getRawMany<{ user_id: string; count: string | number }>();
    return new Map(rows.map((row) => [row.user_id, Number(row.count)]));
  }

  countUnread(userId: string): Promise<number> {
    return this.notifications.countBy({ userId, isRead: false });
  }

  findForUser(id: string, userId: string): Promise<NotificationEntity | null> {
    return this.notifications.findOneBy({ id, userId });
  }

  /** True if it changed (was unread). Scoped by user so another user's id changes nothing. */
  async markRead(id: string, userId: string, readAt: Date): Promise<boolean> {
    const result = await this.notifications.update({ id, userId, isRead: false }, { isRead: true, readAt });
    return (result.affected ?? 0) > 0;
  }

  async markAllRead(userId: string, readAt: Date): Promise<number> {
    const result = await this.notifications.update({ userId, isRead: false }, { isRead: true, readAt });
    return result.affected ?? 0;
  }

  /** Newest first, `limit + 1` rows (the caller learns whether another page exists). */
  page(userId: string, options: { unreadOnly: boolean; before?: string; limit: number }) {
    return this.notifications.find({
      where: {
        userId,
        ...(options.unreadOnly ? { isRead: false } : {}),
        ...(options.before ? { id: LessThan(options.before) } : {}),
      },
      order: { id: 'DESC' },
      take: options.limit + 1,
    });
  }

  /** Oldest first: the user's notifications created after `afterId` (catch-up replay). */
  listAfter(userId: string, afterId: string, limit: number): Promise<NotificationEntity[]> {
    return this.notifications.find({ where: { userId, id: MoreThan(afterId) }, order: { id: 'ASC' }, take: limit });
  }
}
