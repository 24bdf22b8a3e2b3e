import type { NotificationEntity } from './notification.entity';
import type { NotificationData } from '@numerai/protocol';

/** The `data` of a notification frame, also the `notification` of the REST API. */
export function toNotificationData(notification: NotificationEntity): NotificationData {
  const data: NotificationData = {
    id: notification.id,
    title: notification.title,
    message: notification.message,
    notification_type: notification.notificationType,
    is_read: notification.isRead,
    created_at: notification.createdAt.toISOString(),
    seq: notification.seq,
  };
  if (notification.data) data.data = notification.data;
  return data;
}
