export * from './blocks.module';
export * from './block.view';
export { BLOCKED_BOOKING } from './blocks.service';
