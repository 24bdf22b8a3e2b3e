import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@numerai/config';
import { PresenceService } from '@numerai/presence';
import { Clock, forEachPage, JobRunner, ScheduledJob } from '@numerai/scheduler';
import { AvailabilityRepository } from './availability.repository';
import { AvailabilityService } from './availability.service';

/**
 * The backstop of "offline when their last socket closes": the presence hook misses a
 * numerologist who opted in over REST and never connected, and everyone still shown available
 * when the last instance stopped (nobody was left to decide they went offline). Every
 * SCHEDULER_TICK_MS this finds those shown available or busy, unchanged for longer than the
 * presence grace period, and not online anywhere, and makes them offline. The status is only
 * changed if it is still the one read, so an opt-in racing the sweep is kept.
 */
@Injectable()
export class AvailabilitySweepJob implements ScheduledJob, OnModuleInit {
  readonly name = 'availability-sweep';

  constructor(
    private readonly runner: JobRunner,
    private readonly availability: AvailabilityRepository,
    private readonly service: AvailabilityService,
    private readonly presence: PresenceService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.runner.register(this);
  }

  async run(): Promise<void> {
    const before = new Date(this.clock.now().getTime() - this.config.presence.graceMs);
    await forEachPage(
      (afterId, limit) => this.availability.openPage(before, afterId, limit),
      async (rows) => {
        const online = await this.presence.onlineAmong(rows.map((row) => row.id));
        for (const { id } of rows) {
          if (online.has(id)) continue;
          if (await this.availability.markOfflineIfUnchangedSince(id, before)) this.service.changed(id);
        }
      },
    );
  }
}
