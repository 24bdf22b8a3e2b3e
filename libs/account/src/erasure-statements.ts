import { type SqlStatement } from '@numerai/database';
import { OPEN_CONSULTATION_SQL } from '@numerai/consultations';
import type { ConsultationLifecycleEvent } from '@numerai/events';
import { LIFECYCLE_COPY } from '@numerai/lifecycle';
import { DELETED_USER_NAME } from '@numerai/users';

/** Where in the results of `erasureStatements` the rows an announcement needs are. */
export const ENDED_CONSULTATIONS = 0;
export const REVOKED_SESSIONS = 1;

/** The lifecycle steps whose notification to the other participant names the erased user. */
const NAMING_STEPS = Object.keys(LIFECYCLE_COPY) as ConsultationLifecycleEvent[];

/**
 * Every change erasing an account makes (the README's data-erasure policy), for one transaction:
 * - its open consultations end (cancelled) — the rows come back for the announcements;
 * - its sessions end — the ids come back, to close their sockets;
 * - the users row is anonymised, not deleted, so the consultations and messages that name it
 *   stay valid: the other participant sees "Deleted user" (system messages store no name, it is
 *   put in front when read). The email becomes a unique address that can never receive mail
 *   (`.invalid`), so the real one is free to register again; the empty hash never verifies;
 * - what only ever concerned this user goes: Web Push subscriptions and queued pushes,
 *   notifications, read markers, readings, notification preferences and delivery records, and
 *   every block the user made or was the subject of;
 * - the other participants' notifications that named it ("Ada booked a consultation with you")
 *   now name "Deleted user". Each such notice is one of a lifecycle step by the erased user: in
 *   their consultations, a notice to anyone but them is about what they did.
 */
export function erasureStatements(engine: 'sqlite' | 'postgres', userId: string, at: Date): SqlStatement[] {
  const consultationOf =
    engine === 'postgres' ? `(data::jsonb ->> 'consultation_id')` : `json_extract(data, '$.consultation_id')`;
  const idText = engine === 'postgres' ? 'id::text' : 'id';
  const mine = 'user_id = ? OR numerologist_id = ?';
  return [
    {
      sql: `UPDATE consultations SET status = 'cancelled' WHERE (${mine}) AND ${OPEN_CONSULTATION_SQL}
            RETURNING id, user_id, numerologist_id`,
      params: [userId, userId],
    },
    {
      sql: `UPDATE sessions SET revoked_at = ?, revoked_reason = 'account_deleted' WHERE user_id = ? AND revoked_at IS NULL
            RETURNING id`,
      params: [at, userId],
    },
    {
      sql: `UPDATE users SET email = ?, full_name = ?, password_hash = '', birth_date = NULL, birth_name = NULL,
            time_zone = NULL, deleted_at = ? WHERE id = ?`,
      params: [`deleted-${userId}@deleted.invalid`, DELETED_USER_NAME, at, userId],
    },
    ...[
      'push_deliveries',
      'push_subscriptions',
      'notifications',
      'chat_read_markers',
      'readings',
      'notification_preferences',
      'notification_deliveries',
    ].map((table) => ({ sql: `DELETE FROM ${table} WHERE user_id = ?`, params: [userId] })),
    // Blocks (libs/blocks): both sides of every block the user is in.
    { sql: 'DELETE FROM user_blocks WHERE blocker_id = ? OR blocked_id = ?', params: [userId, userId] },
    ...NAMING_STEPS.map((step) => ({
      sql: `UPDATE notifications SET message = ? WHERE notification_type = ?
            AND ${consultationOf} IN (SELECT ${idText} FROM consultations WHERE ${mine})`,
      params: [LIFECYCLE_COPY[step].message(DELETED_USER_NAME), `consultation_${step}`, userId, userId],
    })),
  ];
}
