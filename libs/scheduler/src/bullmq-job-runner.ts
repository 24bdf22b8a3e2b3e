import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { AppConfig } from '@numerai/config';
import { JobRunner } from './job-runner';

const QUEUE = 'scheduler';

/**
 * With REDIS_URL: one BullMQ queue, one job scheduler per job (`every` SCHEDULER_TICK_MS),
 * and a worker on every instance. Each tick becomes one BullMQ job that exactly one worker
 * takes, so the cluster runs each tick once; if that instance dies mid-run, BullMQ hands the
 * stalled job to another. Every instance upserts the same schedulers (idempotent by id).
 */
@Injectable()
export class BullmqJobRunner extends JobRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private connection: Redis | undefined;
  private queue: Queue | undefined;
  private worker: Worker | undefined;

  constructor(private readonly config: AppConfig) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    // BullMQ's blocking worker needs retries without limit on its connection.
    this.connection = new Redis(this.config.redisUrl!, { maxRetriesPerRequest: null });
    this.connection.on('error', () => undefined); // RedisClients already reports Redis being away
    const prefix = `${this.config.redisKeyPrefix}:bull`;
    this.queue = new Queue(QUEUE, { connection: this.connection, prefix });
    this.worker = new Worker(
      QUEUE,
      async (job) => {
        await this.runNow(job.name);
      },
      { connection: this.connection, prefix, concurrency: 1 },
    );
    this.worker.on('failed', (job, error) => this.logger.error(`${job?.name ?? 'a job'} failed: ${error.stack}`));
    for (const name of this.jobs.keys()) {
      await this.queue.upsertJobScheduler(
        name,
        { every: this.config.schedule.tickMs },
        { name, opts: { removeOnComplete: true, removeOnFail: 100 } },
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    this.connection?.disconnect();
  }
}
