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
    title: bounded(notification.title),
    body: bounded(notification.message),
    url: typeof consultationId === 'string' ? `/demo/?consultation=${encodeURIComponent(consultationId)}` : '/demo/',
    notification_id: notification.id,
  };
}

/** Cut on code points, never inside a surrogate pair. */
function bounded(text: string): string {
  const points = Array.from(text);
  return points.length > PUSH_PREVIEW_CODE_POINTS ? `${points.slice(0, PUSH_PREVIEW_CODE_POINTS - 1).join('')}…` : text;
}
