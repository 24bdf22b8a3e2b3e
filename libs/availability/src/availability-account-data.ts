import { Injectable } from '@nestjs/common';
import { AccountDataSection, deleteUserRows, type ErasureContext, type JsonMember } from '@numerai/common';
import { AvailabilityService } from './availability.service';

/**
 * A numerologist's availability and rate: not exported (the export never had them; the status
 * is momentary and the rate is public); on erasure the row goes, so they are no longer listed,
 * and once that is committed the live listing is told (they leave it if they were in it).
 */
@Injectable()
export class AvailabilityAccountData extends AccountDataSection {
  constructor(private readonly availability: AvailabilityService) {
    super();
  }

  exportMembers(): JsonMember[] {
    return [];
  }

  erasure({ userId }: ErasureContext) {
    return {
      ...deleteUserRows(userId, 'numerologist_availability'),
      afterCommit: () => this.availability.changed(userId),
    };
  }
}
