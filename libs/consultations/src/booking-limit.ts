import { Injectable } from '@nestjs/common';
import { RateLimitedError } from '@numerai/common';
import { AppConfig } from '@numerai/config';
import { ConsultationsRepository } from './consultations.repository';

const HOUR_MS = 60 * 60 * 1000;

/**
 * At most BOOKINGS_PER_PAIR_PER_HOUR bookings by one client with one numerologist in any hour:
 * each booking notifies (and may push to) the numerologist, so a book/cancel loop must not be
 * a way to flood them. Counted from the stored consultations, so every instance agrees.
 */
@Injectable()
export class BookingLimit {
  constructor(
    private readonly consultations: ConsultationsRepository,
    private readonly config: AppConfig,
  ) {}

  /** Throws RateLimitedError (429, Retry-After: when the oldest booking of the hour leaves it) at the limit. */
  async check(clientId: string, numerologistId: string): Promise<void> {
    const max = this.config.consultations.bookingsPerPairPerHour;
    const now = Date.now();
    const recent = await this.consultations.bookedSince(clientId, numerologistId, new Date(now - HOUR_MS), max);
    if (recent.length < max) return;
    const retryAfterMs = Math.max(1000, recent[0].createdAt.getTime() + HOUR_MS - now);
    throw new RateLimitedError(
      `At most ${max} bookings with the same numerologist per hour; try again in ${Math.ceil(retryAfterMs / 60_000)} min`,
      retryAfterMs,
    );
  }
}
