import { Injectable } from '@nestjs/common';
import { AccountDataSection, deleteUserRows, type ErasureContext, type JsonMember } from '@numerai/common';

/**
 * A numerologist's availability and rate: not exported (the export never had them; the status
 * is momentary and the rate is public); on erasure the row goes, so they are no longer listed.
 */
@Injectable()
export class AvailabilityAccountData extends AccountDataSection {
  exportMembers(): JsonMember[] {
    return [];
  }

  erasure({ userId }: ErasureContext) {
    return deleteUserRows(userId, 'numerologist_availability');
  }
}
