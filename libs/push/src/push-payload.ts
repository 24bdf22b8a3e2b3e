import { preview } from '@numerai/common';
import type { NotificationData } from '@numerai/protocol';

/** Longest title/body a push carries, in code points (the lock screen shows less anyway). */
export const PUSH_PREVIEW_CODE_POINTS = 120;

/** What the service worker receives: enough to show and open it, never a token. */
export interface PushPayload {
  title: string;
  body: string;
  /** Where a click leads (same origin as the demo page). */
  url: string;
  notification_id: string;
}

export function toPushPayload(notification: NotificationData): PushPayload {
  const consultationId = notification.data?.consultation_id;
  return {
    title: preview(notification.title, PUSH_PREVIEW_CODE_POINTS),
    body: preview(notification.message, PUSH_PREVIEW_CODE_POINTS),
    url: typeof consultationId === 'string' ? `/demo/?consultation=${encodeURIComponent(consultationId)}` : '/demo/',
    notification_id: notification.id,
  };
}
