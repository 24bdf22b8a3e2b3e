import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SessionService } from '@numerai/auth';
import { ConsultationsService } from '@numerai/consultations';
import { engineOf, runInOneTransaction } from '@numerai/database';
import { DELETED_USER_NAME } from '@numerai/users';
import { ENDED_CONSULTATIONS, erasureStatements, REVOKED_SESSIONS } from './erasure-statements';

/**
 * Erases an account (the README's data-erasure policy, written out in `erasureStatements`): all
 * of it in one transaction, so a failure part-way leaves the account as it was. Only after the
 * commit is it announced: the account's sockets close on every instance, and each consultation
 * it ended is announced like any cancellation (the other participant's chat gets the system
 * message and presence `user_offline`, the chat stops taking messages).
 */
@Injectable()
export class AccountEraser {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sessions: SessionService,
    private readonly consultations: ConsultationsService,
  ) {}

  async erase(userId: string): Promise<void> {
    const results = await runInOneTransaction(
      this.dataSource,
      erasureStatements(engineOf(this.dataSource), userId, new Date()),
    );
    this.sessions.announce(
      userId,
      results[REVOKED_SESSIONS].map((row) => String(row.id)),
    );
    const actor = { id: userId, name: DELETED_USER_NAME };
    for (const row of results[ENDED_CONSULTATIONS]) {
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
  }
}
