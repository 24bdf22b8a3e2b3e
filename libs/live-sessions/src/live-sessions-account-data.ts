import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AccountDataSection, type ErasureContext, exportedRows, jsonObject, type JsonMember } from '@numerai/common';
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
 * client and as the numerologist). On erasure they are deleted: the money they moved stays on the ledger, anonymised with
 * the wallet (libs/wallet), and a running one stops being charged (its row is gone).
 */
@Injectable()
export class LiveSessionsAccountData extends AccountDataSection {
  constructor(@InjectRepository(LiveSessionEntity) private readonly rows: Repository<LiveSessionEntity>) {
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

  erasure({ userId }: ErasureContext) {
    return {
      statements: [
        { sql: 'DELETE FROM live_sessions WHERE client_id = ? OR numerologist_id = ?', params: [userId, userId] },
      ],
    };
  }
}
