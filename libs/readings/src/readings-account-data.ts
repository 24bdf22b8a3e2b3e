import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import {
  AccountDataSection,
  deleteUserRows,
  type ErasureContext,
  exportedRows,
  type JsonMember,
} from '@numerai/common';
import { ReadingEntity } from './reading.entity';
import { toReadingView } from './reading.view';

/** The user's daily readings: exported by day, deleted on erasure. */
@Injectable()
export class ReadingsAccountData extends AccountDataSection {
  constructor(@InjectRepository(ReadingEntity) private readonly readings: Repository<ReadingEntity>) {
    super();
  }

  exportMembers(userId: string): JsonMember[] {
    return [['readings', exportedRows(this.readings, { userId }, 'localDate', toReadingView)]];
  }

  erasure({ userId }: ErasureContext) {
    return deleteUserRows(userId, 'readings');
  }
}
