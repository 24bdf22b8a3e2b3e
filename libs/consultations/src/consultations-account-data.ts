import { Injectable } from '@nestjs/common';
import {
  AccountDataSection,
  type AccountErasure,
  EXPORT_BATCH,
  type ErasureContext,
  jsonArray,
  type JsonMember,
} from '@numerai/common';
import { DELETED_USER_NAME } from '@numerai/users';
import { OPEN_CONSULTATION_SQL } from './consultation.entity';
import { toConsultationView } from './consultation.view';
import { ConsultationsService } from './consultations.service';

/** The consultations a user takes part in; on erasure, the open ones end. */
@Injectable()
export class ConsultationsAccountData extends AccountDataSection {
  constructor(private readonly consultations: ConsultationsService) {
    super();
  }

  exportMembers(userId: string): JsonMember[] {
    return [
      ['consultations', jsonArray(this.consultations.participantPages(userId, EXPORT_BATCH), toConsultationView)],
    ];
  }

  /**
   * Its open consultations are cancelled, and once that committed each is announced like any
   * cancellation (the other participant's chat gets the system message and presence
   * `user_offline`, the chat stops taking messages). The rows stay: the other side keeps them.
   */
  erasure({ userId }: ErasureContext): AccountErasure {
    return {
      statements: [
        {
          sql: `UPDATE consultations SET status = 'cancelled' WHERE (user_id = ? OR numerologist_id = ?)
            AND ${OPEN_CONSULTATION_SQL} RETURNING id, user_id, numerologist_id`,
          params: [userId, userId],
        },
      ],
      afterCommit: ([ended]) => {
        const actor = { id: userId, name: DELETED_USER_NAME };
        for (const row of ended) {
          this.consultations.announceStatusChange(
            {
              id: String(row.id),
              userId: String(row.user_id),
              numerologistId: String(row.numerologist_id),
              status: 'cancelled',
            },
            actor,
          );
        }
      },
    };
  }
}
