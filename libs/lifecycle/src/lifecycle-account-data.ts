import { Injectable } from '@nestjs/common';
import { AccountDataSection, type AccountErasure, type ErasureContext, type JsonMember } from '@numerai/common';
import type { ConsultationLifecycleEvent } from '@numerai/events';
import { DELETED_USER_NAME } from '@numerai/users';
import { LIFECYCLE_COPY } from './lifecycle-copy';

/** The lifecycle steps whose notice to the other participant names the one who took the step. */
const NAMING_STEPS = Object.keys(LIFECYCLE_COPY) as ConsultationLifecycleEvent[];

/**
 * The notices this feature sent others about what the user did ("Ada booked a consultation with
 * you"): on erasure they name "Deleted user". In the user's consultations, a lifecycle notice to
 * anyone but them is about a step they took. (Their own notifications are the notifications
 * feature's to delete.) Nothing of its own to export.
 */
@Injectable()
export class LifecycleAccountData extends AccountDataSection {
  exportMembers(): JsonMember[] {
    return [];
  }

  erasure({ userId, engine }: ErasureContext): AccountErasure {
    const consultationOf =
      engine === 'postgres' ? `(data::jsonb ->> 'consultation_id')` : `json_extract(data, '$.consultation_id')`;
    const idText = engine === 'postgres' ? 'id::text' : 'id';
    return {
      statements: NAMING_STEPS.map((step) => ({
        sql: `UPDATE notifications SET message = ? WHERE notification_type = ?
            AND ${consultationOf} IN (SELECT ${idText} FROM consultations WHERE user_id = ? OR numerologist_id = ?)`,
        params: [LIFECYCLE_COPY[step].message(DELETED_USER_NAME), `consultation_${step}`, userId, userId],
      })),
    };
  }
}
