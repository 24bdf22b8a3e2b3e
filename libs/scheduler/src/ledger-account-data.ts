import { Injectable } from '@nestjs/common';
import { AccountDataSection, deleteUserRows, type ErasureContext, type JsonMember } from '@numerai/common';

/** The ledger's records of what was delivered to a user: internal bookkeeping, not exported; deleted on erasure. */
@Injectable()
export class LedgerAccountData extends AccountDataSection {
  exportMembers(): JsonMember[] {
    return [];
  }

  erasure({ userId }: ErasureContext) {
    return deleteUserRows(userId, 'notification_deliveries');
  }
}
