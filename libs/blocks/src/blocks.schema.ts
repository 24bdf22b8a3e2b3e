import type { FeatureSchema } from '@numerai/database';
import { UserBlocks1733750000000 } from './migrations/1733750000000-user-blocks';
import { UserBlockEntity } from './user-block.entity';

/** The blocks feature's tables (user_blocks) and the migrations of its own. */
export const BLOCKS_SCHEMA: FeatureSchema = { entities: [UserBlockEntity], migrations: [UserBlocks1733750000000] };
