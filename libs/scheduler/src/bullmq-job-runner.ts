import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { AppConfig } from '@numerai/config';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { JobRunner } from './job-runner';
import { StalledWorkerDetector } from './stalled-worker-detector';

const QUEUE = 'scheduler';
/** A shutdown waits this long at most for the running tick, then as long for the worker to close (a cut tick is redone by the next run). */
const CLOSE_WAIT_MS = 2000;
/** The self-check runs every SCHEDULER_TICK_MS, but not more often than this. */
const SELF_CHECK_MIN_MS = 5000;
/** Self-checks in a row that must see the same job waiting on an idle worker before it is replaced. */
const STALLED_AFTER_CHECKS = 3;
/** How many waiting jobs a self-check looks at (there is one scheduler per job; more is a backlog). */
const WAITING_LOOKED_AT = 10;

/**
 * With REDIS_URL: one BullMQ queue, one job scheduler per job (`every` SCHEDULER_TICK_MS),
 * and a worker on every instance. Each tick becomes one BullMQ job that exactly one worker
 * takes, so the cluster runs each tick once; if that instance dies mid-run, BullMQ hands the
 * stalled job to another. Every instance upserts the same schedulers (idempotent by id).
 *
 * The schedulers live in Redis only: a Redis restarted without persistence, a FLUSH or a
 * failover to an empty node loses them, and then no tick runs anywhere. So every instance
 * registers them again whenever its connection becomes ready (start-up and every reconnect),
 * and checks that they still exist once a tick interval (see `selfCheck`). The same check
 * replaces a worker whose blocking connection an outage left hanging (`StalledWorkerDetector`).
 */
@Injectable()
export class BullmqJobRunner extends JobRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: ContextLogger;
  private connection: Redis | Cluster | undefined;
  private queue: Queue | undefined;
  private worker: Worker | undefined;
  private prefix = '';
  /** This worker started a job since the last self-check (so it is not stuck). */
  private startedSinceCheck = false;
  private readonly stalls = new StalledWorkerDetector(STALLED_AFTER_CHECKS);
  /** The tick this instance is running, if any: shutdown lets it finish, for a while. */
  private running: Promise<void> | undefined;
  /** A registration or self-check under way (see `schedulersWork`). */
  private schedulersBusy: Promise<void> | undefined;
  private registerWanted = false;
  private selfCheckTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: AppConfig,
    loggers: LoggerFactory,
  ) {
    super();
    this.logger = loggers.forContext('Scheduler');
  }

  onApplicationBootstrap(): void {
    // BullMQ's blocking worker needs retries without limit on its connection.
    const nodes = this.config.redisClusterNodes;
    this.connection = nodes
      ? new Cluster(nodes, { natMap: this.config.redisClusterNatMap, redisOptions: { maxRetriesPerRequest: null } })
      : new Redis(this.config.redisUrl!, { maxRetriesPerRequest: null });
    this.connection.on('error', ignoreConnectionError);
    // On a cluster a queue's keys must share one slot: the hash tag does that.
    this.prefix = nodes ? `{${this.config.redisKeyPrefix}:bull}` : `${this.config.redisKeyPrefix}:bull`;
    this.queue = new Queue(QUEUE, { connection: this.connection, prefix: this.prefix });
    this.worker = this.startWorker(this.connection);
    this.queue.on('error', ignoreConnectionError);
    // 'ready' comes on the first connection and again after every reconnect (ioredis backs its
    // retries off, so this is no tight loop). Not awaited: start-up must not wait for Redis.
    const queue = this.queue;
    this.connection.on('ready', () => this.schedulersWork('register', queue));
    // The ready event misses a FLUSH on a live connection and a cluster failover to an empty
    // replica (the connection never drops), so a cheap read confirms the schedulers still exist.
    const every = Math.max(this.config.schedule.tickMs, SELF_CHECK_MIN_MS);
    this.selfCheckTimer = setInterval(() => this.schedulersWork('check', queue), every);
    this.selfCheckTimer.unref();
  }

  private startWorker(connection: Redis | Cluster): Worker {
    const worker = new Worker(
      QUEUE,
      async (job) => {
        this.startedSinceCheck = true;
        const run = this.runNow(job.name);
        this.running = run;
        try {
          await run;
        } finally {
          if (this.running === run) this.running = undefined;
        }
      },
      { connection, prefix: this.prefix, concurrency: 1 },
    );
    worker.on('failed', (job, error) => this.logger.error(`${job?.name ?? 'a job'} failed: ${error.stack}`));
    // Connection errors while Redis is away: RedisClients already logs the outage once, and an
    // 'error' event nobody listens to would crash the process.
    worker.on('error', ignoreConnectionError);
    return worker;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.selfCheckTimer);
    await within(
      CLOSE_WAIT_MS,
      this.running?.catch(() => undefined),
    );
    // Forced: BullMQ's own close waits without limit for a running job, and until it ends the
    // worker's lock-renewal timer keeps the process alive (a test run that never exits). A job
    // cut here is handed on as stalled, and the next run redoes it.
    await within(CLOSE_WAIT_MS, Promise.all([this.worker?.close(true), this.queue?.close()]));
    this.connection?.disconnect();
  }

  /**
   * One registration or self-check at a time, so a long outage cannot pile them up in the
   * offline queue. A registration asked for meanwhile (a reconnect during a check) runs right
   * after; a check asked for meanwhile is dropped (the next interval brings another).
   */
  private schedulersWork(work: 'register' | 'check', queue: Queue): void {
    if (work === 'register') this.registerWanted = true;
    if (this.schedulersBusy) return;
    this.schedulersBusy = (async () => {
      try {
        do {
          const register = this.registerWanted;
          this.registerWanted = false;
          await (register ? this.upsertSchedulers(queue) : this.selfCheck(queue));
        } while (this.registerWanted);
      } catch (error) {
        this.logger.error(`could not register the job schedulers: ${error instanceof Error ? error.message : error}`);
      } finally {
        this.schedulersBusy = undefined;
      }
    })();
  }

  /** Registers the schedulers again if any is gone, and replaces a stuck worker (reads only while all is well). */
  private async selfCheck(queue: Queue): Promise<void> {
    for (const name of this.jobs.keys()) {
      if (!(await queue.getJobScheduler(name))) {
        this.logger.warn(`the job scheduler ${name} was gone from Redis: registering the schedulers again`);
        await this.upsertSchedulers(queue);
        break;
      }
    }
    const waiting = await queue.getRanges(['wait'], 0, WAITING_LOOKED_AT - 1);
    const active = this.running !== undefined || this.startedSinceCheck;
    this.startedSinceCheck = false;
    if (this.stalls.observe(waiting, active)) await this.replaceWorker();
  }

  /** A new worker (and so a new blocking connection) in place of one that stopped fetching. */
  private async replaceWorker(): Promise<void> {
    this.logger.warn(
      `the scheduler's worker left jobs waiting through ${STALLED_AFTER_CHECKS} self-checks while idle ` +
        `(its blocking Redis connection is hanging after an outage): starting a new worker`,
    );
    const stuck = this.worker;
    this.worker = this.startWorker(this.connection!);
    this.stalls.reset();
    // Forced and bounded: the stuck worker's close would wait on the same hanging command.
    await within(
      CLOSE_WAIT_MS,
      stuck?.close(true).catch(() => undefined),
    );
  }

  /** Every instance upserts the same schedulers (idempotent by id); the first tick comes within SCHEDULER_TICK_MS. */
  private async upsertSchedulers(queue: Queue): Promise<void> {
    for (const [name, job] of this.jobs) {
      await queue.upsertJobScheduler(
        name,
        { every: this.everyMs(job, this.config.schedule.tickMs) },
        { name, opts: { removeOnComplete: true, removeOnFail: 100 } },
      );
    }
  }
}

/** Waits for `work`, but `ms` at most. */
async function within(ms: number, work: Promise<unknown> | undefined): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function ignoreConnectionError(): void {
  // Deliberately nothing: see onApplicationBootstrap.
}
