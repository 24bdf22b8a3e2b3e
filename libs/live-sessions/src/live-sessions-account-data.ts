import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AvailabilityService } from '@numerai/availability';
import {
  AccountDataSection,
  type AccountErasure,
  type ErasureContext,
  exportedRows,
  jsonObject,
  type JsonMember,
} from '@numerai/common';
import { LiveSessionEntity } from './live-session.entity';

/** One session in the export: what was agreed and what it cost, with the other side by id. */
function exported(row: LiveSessionEntity) {
  return {
    id: row.id,
    consultation_id: row.consultationId,
    client_id: row.clientId,
    numerologist_id: row.numerologistId,
    status: row.status,
    rate_minor: row.rateMinor,
    free_minutes: row.freeMinutes,
    minutes_charged: row.minutesCharged,
    amount_charged: row.amountCharged,
    requested_at: row.requestedAt.toISOString(),
    started_at: row.startedAt?.toISOString() ?? null,
    ended_at: row.endedAt?.toISOString() ?? null,
    end_reason: row.endReason,
  };
}

/**
 * Live sessions in the account's export (`live_sessions`: those the user took part in, as the
 * client and as the numerologist). On erasure they are deleted: the money they moved stays on the
 * ledger, anonymised with the wallet (libs/wallet); a running one stops being charged (its row is
 * gone) and its numerologist is available again.
 */
@Injectable()
export class LiveSessionsAccountData extends AccountDataSection {
  constructor(
    @InjectRepository(LiveSessionEntity) private readonly rows: Repository<LiveSessionEntity>,
    private readonly availability: AvailabilityService,
  ) {
    super();
  }

  exportMembers(userId: string): JsonMember[] {
    return [
      [
        'live_sessions',
        jsonObject([
          ['as_client', exportedRows(this.rows, { clientId: userId }, 'id', exported)],
          ['as_numerologist', exportedRows(this.rows, { numerologistId: userId }, 'id', exported)],
        ]),
      ],
    ];
  }

  erasure({ userId }: ErasureContext): AccountErasure {
    return {
      statements: [
        {
          sql: `DELETE FROM live_sessions WHERE client_id = ? OR numerologist_id = ? RETURNING numerologist_id, status`,
          params: [userId, userId],
        },
      ],
      // A numerologist whose running session went with the other side's account is available again.
      afterCommit: ([deleted]) => {
        for (const row of deleted) {
          if ((row.status === 'active' || row.status === 'paused') && row.numerologist_id !== userId) {
            void this.availability.sessionEnded(String(row.numerologist_id)).catch(() => undefined);
          }
        }
      },
    };
  }
}
