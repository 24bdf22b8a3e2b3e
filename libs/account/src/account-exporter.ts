import { Injectable } from '@nestjs/common';
import { EXPORT_BATCH, jsonObject, type JsonMember } from '@numerai/common';
import { UsersService } from '@numerai/users';
import { AccountDataSections, EXPORT_MEMBERS } from './account-data-sections';

/** The page size every section reads the export in; kept here too, where the export's suites look for it. */
export { EXPORT_BATCH };

/**
 * Everything stored about one user, as JSON: each feature's AccountDataSection fills the members
 * of the tables it owns (the profile, consultations they take part in, messages they sent, their
 * notifications, read markers, sessions' metadata, daily readings, notification preferences, Web
 * Push subscriptions, the clients they blocked, and their wallet's ledger), in EXPORT_MEMBERS
 * order. Never a password hash or a refresh-token hash.
 *
 * Streamed: each table is read in keyset pages of EXPORT_BATCH rows, and the next page is read
 * only once the consumer (the response, under backpressure) has taken the previous one.
 */
@Injectable()
export class AccountExporter {
  constructor(
    private readonly users: UsersService,
    private readonly sections: AccountDataSections,
  ) {}

  /**
   * The export as JSON text in chunks. The user is read before anything is produced, so an
   * unknown one fails here (a plain 404) rather than halfway through a 200.
   */
  async open(userId: string): Promise<AsyncGenerator<string>> {
    await this.users.getById(userId);
    const members = new Map(this.sections.all().flatMap((section) => section.exportMembers(userId)));
    return jsonObject([
      ['exported_at', new Date().toISOString()],
      ...EXPORT_MEMBERS.map((name): JsonMember => [name, members.get(name)]),
    ]);
  }
}
