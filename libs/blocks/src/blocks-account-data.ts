import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import {
  AccountDataSection,
  type AccountErasure,
  type ErasureContext,
  exportedRows,
  iso,
  type JsonMember,
} from '@numerai/common';
import { UserBlockEntity } from './user-block.entity';

/** The clients a user blocked; on erasure, both sides of every block the user is in go. */
@Injectable()
export class BlocksAccountData extends AccountDataSection {
  constructor(@InjectRepository(UserBlockEntity) private readonly blocks: Repository<UserBlockEntity>) {
    super();
  }

  exportMembers(userId: string): JsonMember[] {
    return [['blocks', exportedRows(this.blocks, { blockerId: userId }, 'id', toBlockExport)]];
  }

  erasure({ userId }: ErasureContext): AccountErasure {
    return {
      statements: [{ sql: 'DELETE FROM user_blocks WHERE blocker_id = ? OR blocked_id = ?', params: [userId, userId] }],
    };
  }
}

function toBlockExport(block: UserBlockEntity) {
  return { user_id: block.blockedId, created_at: iso(block.createdAt) };
}
