export * from './data-source-options';
export * from './database.module';
export * from './entities';
export * from './ids';
export * from './migrate';
export * from './migrations';
export * from './sqlite-checkpointer';
export * from './sqlite-thread';
