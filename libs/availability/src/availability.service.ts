import { Injectable, OnModuleInit } from '@nestjs/common';
import { ConflictError, DEFAULT_PAGE_SIZE, InvalidError, NotAllowedError, type Principal } from '@numerai/common';
import { AppConfig } from '@numerai/config';
import { EventBus } from '@numerai/events';
import type { AvailabilityStatus } from './numerologist-availability.entity';
import { PresenceAvailability, PresenceService } from '@numerai/presence';
import { AvailabilityRepository } from './availability.repository';
import { availabilitySetFrame, type AvailabilityView, type AvailableNumerologistPage } from './availability.view';

/**
 * A numerologist's public opt-in to live sessions: `available` lists them (with their rate) to
 * every client, strangers included — unlike presence, which only contacts see. Only their own
 * choice makes them available; losing their last connection (past the presence grace period)
 * makes them offline, so nobody is listed who is not there.
 */
@Injectable()
export class AvailabilityService implements OnModuleInit {
  constructor(
    private readonly availability: AvailabilityRepository,
    private readonly presence: PresenceService,
    private readonly presenceAvailability: PresenceAvailability,
    private readonly config: AppConfig,
    private readonly events: EventBus,
  ) {}

  /** Presence cannot call this feature (it depends on presence): it is handed what to do instead. */
  onModuleInit(): void {
    this.presence.onWentOffline(async (userId) => {
      if (await this.availability.markOffline(userId)) this.changed(userId);
    });
    // `set_availability` on the presence socket: as on the availability socket and over REST.
    this.presenceAvailability.provide(async (user, status) => availabilitySetFrame(await this.setStatus(user, status)));
  }

  /**
   * After every committed write of a status or rate: the live listing (`/ws/availability/`) on
   * every instance reads the row again. Whoever writes availability outside this service calls it too.
   */
  changed(userId: string): void {
    this.events.publish('availability.changed', { user_id: userId });
  }

  async mine(numerologist: Principal): Promise<AvailabilityView> {
    this.requireNumerologist(numerologist);
    const row = await this.availability.find(numerologist.id);
    return {
      status: row?.status ?? 'offline',
      rate_minor: row?.rateMinor ?? null,
      currency: this.config.wallet.currency,
    };
  }

  async setStatus(numerologist: Principal, status: AvailabilityStatus): Promise<AvailabilityView> {
    this.requireNumerologist(numerologist);
    if (status !== 'offline' && (await this.availability.find(numerologist.id))?.rateMinor == null) {
      throw new ConflictError('Set a per-minute rate before becoming available');
    }
    await this.availability.save(numerologist.id, { status });
    this.changed(numerologist.id);
    return this.mine(numerologist);
  }

  async setRate(numerologist: Principal, rateMinor: number): Promise<AvailabilityView> {
    this.requireNumerologist(numerologist);
    const { rateMinMinor, rateMaxMinor } = this.config.wallet;
    if (rateMinor < rateMinMinor || rateMinor > rateMaxMinor) {
      throw new InvalidError(`rate_minor must be from ${rateMinMinor} to ${rateMaxMinor}`);
    }
    await this.availability.save(numerologist.id, { rateMinor });
    this.changed(numerologist.id);
    return this.mine(numerologist);
  }

  async available(query: { cursor?: string; limit?: number }): Promise<AvailableNumerologistPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.availability.availablePage(query.cursor, limit);
    const items = rows.slice(0, limit).map((row) => ({
      user_id: row.userId,
      full_name: row.fullName,
      rate_minor: row.rateMinor,
      currency: this.config.wallet.currency,
    }));
    return { items, next_cursor: rows.length > limit ? items[items.length - 1].user_id : null };
  }

  /** The numerologist's status and rate as a live session needs them (offline and no rate when never set). */
  async liveSessionTerms(userId: string): Promise<{ status: AvailabilityStatus; rateMinor: number | null }> {
    const row = await this.availability.find(userId);
    return { status: row?.status ?? 'offline', rateMinor: row?.rateMinor ?? null };
  }

  /** A live session started: busy (no longer listed) if they were available. */
  async sessionStarted(userId: string): Promise<void> {
    if (await this.availability.changeStatus(userId, 'available', 'busy')) this.changed(userId);
  }

  /** Their live session is over: available again, unless they changed their status meanwhile (or went offline). */
  async sessionEnded(userId: string): Promise<void> {
    if (await this.availability.changeStatus(userId, 'busy', 'available')) this.changed(userId);
  }

  private requireNumerologist(principal: Principal): void {
    if (principal.role !== 'numerologist') throw new NotAllowedError('Only a numerologist has an availability');
  }
}
