import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { AppConfig } from '@numerai/config';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { sqliteWorkerFile, startSqliteThread } from './sqlite-thread';
import type { CheckpointThreadData } from './sqlite-thread-data';

/** How often the WAL is copied back into the database file. */
const CHECKPOINT_INTERVAL_MS = 250;

/**
 * Copies the SQLite WAL back into the database file from a thread of its own. Left to
 * SQLite, the checkpoint runs inside whichever commit pushes the WAL past its limit:
 * that commit, and every chat message queued behind it, waited tens of milliseconds
 * (it was the whole of NumerAI's p99 under load). Every connection therefore has
 * automatic checkpoints off (`SQLITE_PRAGMAS`), and this thread runs PASSIVE
 * checkpoints, which never wait for readers or writers, a few times a second.
 * Without it (the CLI, a test's own DataSource) the WAL is checkpointed when the last connection closes.
 * The thread's program is sqlite-checkpoint.worker.ts.
 */
@Injectable()
export class SqliteCheckpointer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: ContextLogger;
  private worker: Worker | undefined;

  constructor(
    private readonly config: AppConfig,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('SqliteCheckpointer');
  }

  onApplicationBootstrap(): void {
    const { database } = this.config;
    if (database.kind !== 'sqlite') return;
    const file = sqliteWorkerFile(join(__dirname, 'sqlite-checkpoint.worker'));
    this.worker = startSqliteThread<CheckpointThreadData>(file, database.path, { intervalMs: CHECKPOINT_INTERVAL_MS });
    this.worker.on('error', (error) => this.logger.error(`checkpoint thread failed: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}
