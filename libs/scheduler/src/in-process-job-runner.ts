import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@numerai/config';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { JobRunner } from './job-runner';
import type { ScheduledJob } from './scheduled-job';

/**
 * The embedded default: a timer per job in this process, never two runs of one job at
 * once here. Several such instances on one database may overlap; the ledger keeps that safe.
 */
@Injectable()
export class InProcessJobRunner extends JobRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: ContextLogger;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly config: AppConfig,
    loggers: LoggerFactory,
  ) {
    super();
    this.logger = loggers.forContext('Scheduler');
  }

  onApplicationBootstrap(): void {
    for (const job of this.jobs.values()) {
      this.tick(job); // what fell due while we were down
      const timer = setInterval(() => this.tick(job), this.everyMs(job, this.config.schedule.tickMs));
      timer.unref();
      this.timers.push(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.allSettled(this.running.values());
  }

  private tick(job: ScheduledJob): void {
    if (this.running.has(job.name)) return;
    const run = job
      .run()
      .catch((error: unknown) =>
        this.logger.error(`${job.name} failed: ${error instanceof Error ? error.stack : error}`),
      )
      .finally(() => this.running.delete(job.name));
    this.running.set(job.name, run);
  }
}
