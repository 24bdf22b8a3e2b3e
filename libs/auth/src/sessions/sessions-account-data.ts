import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import {
  AccountDataSection,
  type AccountErasure,
  EXPORT_BATCH,
  type ErasureContext,
  iso,
  jsonArray,
  type JsonMember,
  keysetPages,
} from '@numerai/common';
import { SessionEntity } from './session.entity';
import { SessionService } from './session.service';

/** The user's sessions: their metadata in the export (never a refresh-token hash); ended on erasure. */
@Injectable()
export class SessionsAccountData extends AccountDataSection {
  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    private readonly service: SessionService,
  ) {
    super();
  }

  exportMembers(userId: string): JsonMember[] {
    // Newest first, as the sessions list has always been.
    const pages = keysetPages<SessionEntity>(EXPORT_BATCH, (after, take) =>
      this.sessions.find({
        where: { userId, ...(after ? { id: LessThan(after.id) } : {}) },
        order: { id: 'DESC' },
        take,
      }),
    );
    return [['sessions', jsonArray(pages, toSessionMetadata)]];
  }

  /** Every live session is revoked; once that committed, their sockets close on every instance. */
  erasure({ userId, at }: ErasureContext): AccountErasure {
    return {
      statements: [
        {
          sql: `UPDATE sessions SET revoked_at = ?, revoked_reason = 'account_deleted' WHERE user_id = ? AND revoked_at IS NULL
            RETURNING id`,
          params: [at, userId],
        },
      ],
      afterCommit: ([revoked]) =>
        this.service.announce(
          userId,
          revoked.map((row) => String(row.id)),
        ),
    };
  }
}

function toSessionMetadata(session: SessionEntity) {
  return {
    id: session.id,
    created_at: iso(session.createdAt),
    refreshed_at: iso(session.refreshedAt),
    revoked_at: iso(session.revokedAt),
    revoked_reason: session.revokedReason,
  };
}
