import type { NotificationData } from '@numerai/protocol';
import type { KeepAliveOptions } from './connection';
import { StreamSession } from './stream-session';
import type { NotificationsWebSocketOptions } from './types';

/**
 * The user's notifications, `/ws/notifications/`: `notification` and `unread_count` frames; send
 * `mark_read`, `mark_all_read`. Reconnects resume with `last_seq` (or `last_notification_id`); the
 * server replays what was missed and ends with `replay_complete`.
 */
export class NotificationsSession extends StreamSession<'notifications', NotificationData> {
  constructor(token: string | null | undefined, options: NotificationsWebSocketOptions & KeepAliveOptions = {}) {
    super('notifications', token, options, { id: options.lastNotificationId });
    this.start(options);
  }

  /** Id of the newest notification delivered (the resume point of servers that send no `seq`). */
  get lastNotificationId(): string | undefined {
    return this.resumePoint.id;
  }

  protected deliver(data: NotificationData): void {
    this.connection.dispatch({ type: 'notification', data });
  }
}
