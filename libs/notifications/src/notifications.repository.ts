import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { Database, Statement } from 'better-sqlite3';
import { DataSource, In, LessThan, MoreThan, Repository } from 'typeorm';
import { newId } from '@numerai/database';
import { ChatMessageEntity } from '@numerai/chat';
import { NotificationEntity } from './notification.entity';
import { UserEntity } from '@numerai/users';

export interface NewNotification {
  /** Pre-allocated id, single-recipient `notify` only: scheduled deliveries record it first for exactly-once. */
  id?: string;
  title: string;
  message: string;
  notification_type: string;
  data?: Record<string, unknown>;
  /**
   * For a notification that may repeat (a consultation booked and cancelled again and again): a
   * repeat with the same key replaces the recipient's unread one with it instead of adding another.
   */
  collapse_key?: string;
}

/**
 * PostgreSQL: bump the recipients' counters, locked in id order (two broadcasts to overlapping
 * users never deadlock; one user's notifications are numbered in commit order on any instance),
 * and take the time from the database, where the order is decided. Erased accounts are skipped:
 * the lock waits for an erasure in progress and the condition is checked again after it, so
 * nothing is stored for an account once its erasure has committed.
 */
const PG_BUMP_COUNTERS = `
WITH bumped AS (
  UPDATE users u SET last_notification_seq = u.last_notification_seq + 1
    FROM (SELECT id FROM users WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL ORDER BY id FOR UPDATE) l
   WHERE u.id = l.id
  RETURNING u.id, u.last_notification_seq AS seq
)
SELECT id, seq, date_trunc('milliseconds', clock_timestamp() AT TIME ZONE 'UTC') AS at FROM bumped`;

@Injectable()
export class NotificationsRepository {
  private sqliteStatements: { bump: Statement<[string]>; insert: Statement<unknown[]> } | undefined;

  constructor(
    @InjectRepository(NotificationEntity) private readonly notifications: Repository<NotificationEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Undefined when there is no such user, or it is erased. */
  async create(userId: string, input: NewNotification): Promise<NotificationEntity | undefined> {
    const [notification] = await this.createMany([userId], input);
    return notification;
  }

  /**
   * The same notification for many users, each numbered after that user's last one
   * (users.last_notification_seq) in the transaction that stores it. Unknown and erased users are skipped.
   */
  async createMany(userIds: string[], input: NewNotification): Promise<NotificationEntity[]> {
    if (userIds.length === 0) return [];
    const row = (userId: string, seq: number, createdAt: Date) =>
      Object.assign(new NotificationEntity(), {
        id: input.id ?? newId(),
        userId,
        seq,
        title: input.title,
        message: input.message,
        notificationType: input.notification_type,
        data: input.data ?? null,
        isRead: false,
        readAt: null,
        createdAt,
        collapseKey: input.collapse_key ?? null,
      });
    if (this.dataSource.options.type === 'better-sqlite3') return this.createManySqlite(userIds, row);
    return this.dataSource.transaction(async (manager) => {
      const counters = (await manager.query(PG_BUMP_COUNTERS, [userIds])) as { id: string; seq: number; at: Date }[];
      const rows = counters.map((counter) => row(counter.id, counter.seq, counter.at));
      if (rows.length > 0) await manager.insert(NotificationEntity, rows as never);
      return rows;
    });
  }

  /**
   * SQLite: TypeORM shares one connection, so its transactions cannot overlap; this one runs
   * synchronously on the driver's connection instead (nothing else runs meanwhile) and takes
   * the write lock at once (IMMEDIATE), waiting for the chat writer thread's batch if need be.
   */
  private createManySqlite(
    userIds: string[],
    row: (userId: string, seq: number, createdAt: Date) => NotificationEntity,
  ): NotificationEntity[] {
    const db = (this.dataSource.driver as unknown as { databaseConnection: Database }).databaseConnection;
    const statements = (this.sqliteStatements ??= {
      bump: db
        .prepare(
          'UPDATE users SET last_notification_seq = last_notification_seq + 1 WHERE id = ? AND deleted_at IS NULL RETURNING last_notification_seq',
        )
        .pluck(),
      insert: db.prepare(
        `INSERT INTO notifications (id, user_id, seq, title, message, notification_type, data, is_read, read_at, created_at, collapse_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?)`,
      ),
    });
    const createdAt = new Date();
    const storedAt = createdAt.toISOString().replace('T', ' ').slice(0, 23);
    return db
      .transaction(() => {
        const rows: NotificationEntity[] = [];
        for (const userId of userIds) {
          const seq = statements.bump.get(userId) as number | undefined;
          if (seq === undefined) continue;
          const stored = row(userId, seq, createdAt);
          statements.insert.run(
            stored.id,
            userId,
            seq,
            stored.title,
            stored.message,
            stored.notificationType,
            stored.data === null ? null : JSON.stringify(stored.data),
            storedAt,
            stored.collapseKey,
          );
          rows.push(stored);
        }
        return rows;
      })
      .immediate();
  }

  /**
   * Deletes the user's unread notifications with this collapse key (and with them, by cascade, their
   * pushes still queued); true if there was one. A read one stays: it is history by now.
   */
  async deleteUnread(userId: string, collapseKey: string): Promise<boolean> {
    const result = await this.notifications.delete({ userId, collapseKey, isRead: false });
    return (result.affected ?? 0) > 0;
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

  exists(id: string): Promise<boolean> {
    return this.notifications.existsBy({ id });
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

  /**
   * Marks read the user's unread `chat_message` notifications of one consultation whose message
   * is at or before position `seq` there; returns how many changed. One statement whatever the
   * count; the message ids are taken from the notification's own `data`.
   */
  async markChatMessagesRead(userId: string, consultationId: string, seq: number, readAt: Date): Promise<number> {
    const field = (key: string) =>
      this.dataSource.options.type === 'postgres' ? `(data::jsonb ->> '${key}')` : `json_extract(data, '$.${key}')`;
    const messageId = this.dataSource.options.type === 'postgres' ? 'm.id::text' : 'm.id';
    const upToSeq = this.dataSource
      .createQueryBuilder()
      .subQuery()
      .select('1')
      .from(ChatMessageEntity, 'm')
      .where(`${messageId} = ${field('message_id')}`)
      .andWhere('m.consultation_id = :consultationId AND m.seq <= :seq')
      .getQuery();
    const result = await this.notifications
      .createQueryBuilder()
      .update()
      .set({ isRead: true, readAt })
      .where({ userId, isRead: false, notificationType: 'chat_message' })
      // Its own parameter: PostgreSQL types this one text, the subquery's uuid.
      .andWhere(`${field('consultation_id')} = :consultationText`, { consultationText: consultationId })
      .andWhere(`EXISTS ${upToSeq}`, { consultationId, seq })
      .execute();
    return result.affected ?? 0;
  }

  /** Newest first before a position (none: from the newest), `limit + 1` rows (the caller learns whether another page exists). */
  page(userId: string, options: { unreadOnly: boolean; beforeSeq?: number; limit: number }) {
    return this.notifications.find({
      where: {
        userId,
        ...(options.unreadOnly ? { isRead: false } : {}),
        ...(options.beforeSeq !== undefined ? { seq: LessThan(options.beforeSeq) } : {}),
      },
      order: { seq: 'DESC' },
      take: options.limit + 1,
    });
  }

  /** Oldest first: the user's notifications after position `afterSeq` (catch-up replay, REST `after_seq`). */
  listAfterSeq(userId: string, afterSeq: number, limit: number, unreadOnly = false): Promise<NotificationEntity[]> {
    return this.notifications.find({
      where: { userId, seq: MoreThan(afterSeq), ...(unreadOnly ? { isRead: false } : {}) },
      order: { seq: 'ASC' },
      take: limit,
    });
  }

  /** The user's newest position (0 before their first notification). */
  async lastSeq(userId: string): Promise<number> {
    const user = await this.dataSource
      .getRepository(UserEntity)
      .findOne({ where: { id: userId }, select: { id: true, lastNotificationSeq: true } });
    return user?.lastNotificationSeq ?? 0;
  }
}
