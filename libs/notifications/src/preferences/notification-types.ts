/**
 * The notification types the backend itself sends, listed by GET /api/notifications/preferences
 * (on by default). Admins may send other types; those can be switched off too once seen.
 */
export const KNOWN_NOTIFICATION_TYPES = [
  'chat_message',
  'daily_reading',
  'consultation_reminder',
  'consultation_booked',
  'consultation_started',
  'consultation_completed',
  'consultation_cancelled',
  'live_session_requested',
  'live_session_lapsed',
] as const;

/** How many types one user may store a preference for (the known ones plus admin-sent ones). */
export const MAX_PREFERENCE_TYPES = 64;

/** The shape admin notifications accept for `notification_type`. */
export const NOTIFICATION_TYPE_PATTERN = /^[a-z0-9_]{1,64}$/;
