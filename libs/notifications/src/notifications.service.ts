import { Injectable, NotFoundException } from '@nestjs/common';
import { DEFAULT_PAGE_SIZE, toPage } from '@numerai/common';
import { isUuid } from '@numerai/database';
import { EventBus } from '@numerai/events';
import type { NotificationData } from '@numerai/protocol';
import { toNotificationData } from './notification.view';
import { NewNotification, NotificationsRepository } from './notifications.repository';
import { PreferencesService } from './preferences/preferences.service';

/** Most notifications one catch-up replay sends; older ones are in the REST list. */
const MAX_REPLAY = 1000;
/** Recipients per statement and per event of a bulk send (bounded SQL parameters and bus messages). */
const BULK_CHUNK = 500;

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
  ) {}

  /** Stores and announces it; null (nothing stored or sent) if the user switched this type off in-app. */
  async notify(userId: string, input: NewNotification): Promise<NotificationData | null> {
    if (!(await this.preferences.allowsInApp(userId, input.notification_type))) return null;
    const stored = toNotificationData(await this.notifications.create(userId, input));
    const unreadCount = await this.notifications.countUnread(userId);
    this.events.publish('notification.created', { user_id: userId, notification: stored, unread_count: unreadCount });
    return stored;
  }

  /**
   * The same notification to many users (e.g. "Daily Reading Ready"): stored in chunks,
   * announced with one event per chunk rather than one per recipient. Returns how many
   * were stored (users who switched the type off in-app are skipped).
   */
  async notifyMany(userIds: string[], input: NewNotification): Promise<number> {
    const recipients = await this.preferences.inAppRecipients([...new Set(userIds)], input.notification_type);
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

  unreadCount(userId: string): Promise<number> {
    return this.notifications.countUnread(userId);
  }

  /** Marks one of the user's notifications read; 404 for unknown ids and for other users' alike. */
  async markRead(userId: string, id: string): Promise<NotificationData> {
    if (!isUuid(id)) throw new NotFoundException('Notification not found');
    const changed = await this.notifications.markRead(id, userId, new Date());
    const notification = await this.notifications.findForUser(id, userId);
    if (!notification) throw new NotFoundException('Notification not found');
    if (changed) await this.announceUnreadCount(userId);
    return toNotificationData(notification);
  }

  async markAllRead(userId: string): Promise<number> {
    const changed = await this.notifications.markAllRead(userId, new Date());
    if (changed > 0) await this.announceUnreadCount(userId);
    return changed;
  }

  async list(userId: string, options: { unreadOnly: boolean; before?: string; limit?: number }) {
    const limit = options.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.notifications.page(userId, { ...options, limit });
    return toPage(rows, limit, toNotificationData);
  }

  /** The user's notifications after `lastId`, oldest first; undefined if `lastId` is not one of theirs. */
  async after(userId: string, lastId: string): Promise<NotificationData[] | undefined> {
    if (!isUuid(lastId) || !(await this.notifications.findForUser(lastId, userId))) return undefined;
    return (await this.notifications.listAfter(userId, lastId, MAX_REPLAY)).map(toNotificationData);
  }

  private async announceUnreadCount(userId: string): Promise<void> {
    this.events.publish('notification.unread_count', {
      user_id: userId,
      count: await this.notifications.countUnread(userId),
    });
  }
}
