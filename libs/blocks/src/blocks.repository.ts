import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { newId } from '@numerai/database';
import { UserBlockEntity } from './user-block.entity';

/** The user_blocks table: one row per (numerologist, client) pair. */
@Injectable()
export class BlocksRepository {
  constructor(@InjectRepository(UserBlockEntity) private readonly blocks: Repository<UserBlockEntity>) {}

  /** Inserts the pair's block unless it exists (racing requests included); returns the row and whether it is new. */
  async add(blockerId: string, blockedId: string): Promise<{ block: UserBlockEntity; created: boolean }> {
    const result = await this.blocks
      .createQueryBuilder()
      .insert()
      .values({ id: newId(), blockerId, blockedId, createdAt: new Date() })
      .orIgnore()
      .execute();
    const block = await this.blocks.findOneByOrFail({ blockerId, blockedId });
    return { block, created: result.identifiers.some((row) => row?.id === block.id) };
  }

  /** Whether anything was removed. */
  async remove(blockerId: string, blockedId: string): Promise<boolean> {
    return ((await this.blocks.delete({ blockerId, blockedId })).affected ?? 0) > 0;
  }

  exists(blockerId: string, blockedId: string): Promise<boolean> {
    return this.blocks.existsBy({ blockerId, blockedId });
  }

  /** Newest first, `limit + 1` rows so the caller learns whether another page exists. */
  pageOf(blockerId: string, options: { before?: string; limit: number }): Promise<UserBlockEntity[]> {
    return this.blocks.find({
      where: { blockerId, ...(options.before ? { id: LessThan(options.before) } : {}) },
      order: { id: 'DESC' },
      take: options.limit + 1,
    });
  }
}
