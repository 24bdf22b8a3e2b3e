import { Injectable } from '@nestjs/common';
import { ConflictError, DEFAULT_PAGE_SIZE, InvalidError, NotFoundError, toPage } from '@numerai/common';
import { isUuid } from '@numerai/database';
import { EventBus } from '@numerai/events';
import type { NotificationData } from '@numerai/protocol';
import type { StreamSource } from '@numerai/realtime';
import { UsersService } from '@numerai/users';
import { toNotificationData } from './notification.view';
import { NewNotification, NotificationsRepository } from './notifications.repository';
import { PreferencesService } from './preferences/preferences.service';

/** Recipients per statement and per event of a bulk send (bounded SQL parameters and bus messages). */
export const BULK_CHUNK = 500;

/**
 * The one way any module notifies a user: `notify(userId, …)` stores the notification
 * and announces it, and every socket of that user on every instance hears it.
 */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly events: EventBus,
    private readonly preferences: PreferencesService,
    private readonly users: UsersService,
  ) {}

  /**
   * Stores and announces it; null (nothing stored or sent) if the user switched this type off
   * in-app, or the account does not exist or is erased. With a `collapse_key`, a repeat of an
   * unread notification replaces it: that one is deleted (a push of it still queued goes too) and
   * this one is announced as `notification.replaced`, which sockets show and Web Push ignores.
   */
  async notify(userId: string, input: NewNotification): Promise<NotificationData | null> {
    if (!(await this.preferences.allowsInApp(userId, input.notification_type))) return null;
    const replaces = input.collapse_key ? await this.notifications.deleteUnread(userId, input.collapse_key) : false;
    const created = await this.notifications.create(userId, input);
    if (!created) return null;
    const stored = toNotificationData(created);
    const unreadCount = await this.notifications.countUnread(userId);
    this.events.publish(replaces ? 'notification.replaced' : 'notification.created', {
      user_id: userId,
      notification: stored,
      unread_count: unreadCount,
    });
    return stored;
  }

  /** One notification an admin sends by hand: unlike `notify`, says why nothing was sent. */
  async notifyOne(userId: string, input: NewNotification): Promise<NotificationData> {
    const user = await this.users.findById(userId);
    if (!user || user.deletedAt) throw new NotFoundError('User not found');
    const stored = await this.notify(userId, input);
    if (!stored) throw new ConflictError(`The user has switched off ${input.notification_type} notifications`);
    return stored;
  }

  /**
   * The same notification to many users (e.g. "Daily Reading Ready"): stored in chunks,
   * announced with one event per chunk rather than one per recipient. Returns how many
   * were stored (unknown and erased users and users who switched the type off in-app are skipped).
   */
  async notifyMany(userIds: string[], input: NewNotification): Promise<number> {
    const known = (await this.users.findByIds([...new Set(userIds)]))
      .filter((user) => !user.deletedAt)
      .map((user) => user.id);
    const recipients = await this.preferences.inAppRecipients(known, input.notification_type);
    for (let i = 0; i < recipients.length; i += BULK_CHUNK) {
      const chunk = recipients.slice(i, i + BULK_CHUNK);
      const stored = await this.notifications.createMany(chunk, input);
      const counts = await this.notifications.countUnreadMany(chunk);
      this.events.publish('notification.created_many', {
        items: stored.map((row) => ({
          user_id: row.userId,
          notification: toNotificationData(row),
          unread_count: counts.get(row.userId) ?? 1,
        })),
      });
    }
    return recipients.length;
  }

  /** Whether a notification is stored under this id (the scheduler's ledger asks, taking over a dead claim). */
  exists(id: string): Promise<boolean> {
    return this.notifications.exists(id);
  }

  unreadCount(userId: string): Promise<number> {
    return this.notifications.countUnread(userId);
  }

  /** Each user's unread count with one query (0 for those with none). */
  async unreadCounts(userIds: string[]): Promise<Map<string, number>> {
    const counts = await this.notifications.countUnreadMany(userIds);
    return new Map(userIds.map((userId) => [userId, counts.get(userId) ?? 0]));
  }

  /** Marks one of the user's notifications read; 404 for unknown ids and for other users' alike. */
  async markRead(userId: string, id: string): Promise<NotificationData> {
    if (!isUuid(id)) throw new NotFoundError('Notification not found');
    const changed = await this.notifications.markRead(id, userId, new Date());
    const notification = await this.notifications.findForUser(id, userId);
    if (!notification) throw new NotFoundError('Notification not found');
    if (changed) await this.announceUnreadCount(userId);
    return toNotificationData(notification);
  }

  async markAllRead(userId: string): Promise<number> {
    const changed = await this.notifications.markAllRead(userId, new Date());
    if (changed > 0) await this.announceUnreadCount(userId);
    return changed;
  }

  /** The reader's marker in a chat reached position `seq`: their notifications of the messages up to it are read. */
  async markChatReadUpTo(userId: string, consultationId: string, seq: number): Promise<void> {
    const changed = await this.notifications.markChatMessagesRead(userId, consultationId, seq, new Date());
    if (changed > 0) await this.announceUnreadCount(userId);
  }

  /** Newest first (before `before`, a notification id), or oldest first from `after_seq` on. */
  async list(userId: string, options: { unreadOnly: boolean; before?: string; afterSeq?: number; limit?: number }) {
    const limit = options.limit ?? DEFAULT_PAGE_SIZE;
    if (options.afterSeq !== undefined) {
      if (options.before) throw new InvalidError('use either before or after_seq');
      const rows = await this.notifications.listAfterSeq(userId, options.afterSeq, limit + 1, options.unreadOnly);
      const items = rows.slice(0, limit).map(toNotificationData);
      return { items, next_before: null, next_after_seq: rows.length > limit ? items[items.length - 1].seq : null };
    }
    let beforeSeq: number | undefined;
    if (options.before) {
      const before = await this.notifications.findForUser(options.before, userId);
      if (!before) throw new NotFoundError('Notification not found');
      beforeSeq = before.seq;
    }
    const rows = await this.notifications.page(userId, { unreadOnly: options.unreadOnly, beforeSeq, limit });
    return toPage(rows, limit, toNotificationData);
  }

  /** Where a user's stream of notifications is read back from (StreamDelivery: replay, gaps, resume ids). */
  readonly source: StreamSource<NotificationData> = {
    head: (userId) => this.notifications.lastSeq(userId),
    after: async (userId, afterSeq, limit) =>
      (await this.notifications.listAfterSeq(userId, afterSeq, limit)).map(toNotificationData),
    seqOf: async (userId, id) => (isUuid(id) ? (await this.notifications.findForUser(id, userId))?.seq : undefined),
  };

  private async announceUnreadCount(userId: string): Promise<void> {
    this.events.publish('notification.unread_count', {
      user_id: userId,
      count: await this.notifications.countUnread(userId),
    });
  }
}
