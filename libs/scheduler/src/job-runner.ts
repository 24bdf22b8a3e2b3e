import type { ScheduledJob } from './scheduled-job';

/**
 * Runs every registered job every `SCHEDULER_TICK_MS`, or its own `everyMs` (in-process: also
 * once at start-up).
 * In-process on the embedded default; BullMQ when REDIS_URL is set, so one instance at a
 * time runs each tick.
 */
export abstract class JobRunner {
  protected readonly jobs = new Map<string, ScheduledJob>();

  register(job: ScheduledJob): void {
    if (this.jobs.has(job.name)) throw new Error(`Scheduled job ${job.name} is registered twice`);
    this.jobs.set(job.name, job);
  }

  /** The job's own cadence, or SCHEDULER_TICK_MS. */
  protected everyMs(job: ScheduledJob, tickMs: number): number {
    return job.everyMs ?? tickMs;
  }

  /** Runs one job here and now, awaiting it (tests after moving the clock; operators). */
  async runNow(name: string): Promise<void> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`No scheduled job named ${name}`);
    await job.run();
  }
}
