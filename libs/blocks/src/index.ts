export * from './blocks.module';
export * from './block.view';
export { BLOCKED_BOOKING } from './blocks.service';
export * from './user-block.entity';
export * from './blocks.schema';
