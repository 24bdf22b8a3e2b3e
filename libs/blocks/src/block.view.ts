import { ApiProperty } from '@nestjs/swagger';
import { iso } from '@numerai/common';
import type { UserBlockEntity } from './user-block.entity';

export class BlockView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  /** The blocked client. */
  @ApiProperty({ format: 'uuid' }) user_id!: string;
  @ApiProperty() user_name!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export function toBlockView(block: UserBlockEntity, userName: string): BlockView {
  return { id: block.id, user_id: block.blockedId, user_name: userName, created_at: iso(block.createdAt) };
}
