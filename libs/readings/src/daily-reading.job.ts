import { Injectable, OnModuleInit } from '@nestjs/common';
import { localTime } from '@numerai/common';
import { AppConfig } from '@numerai/config';
import type { UserEntity } from '@numerai/users';
import { NotificationsService } from '@numerai/notifications';
import { Clock, DeliveryLedger, forEachPage, JobRunner, ScheduledJob } from '@numerai/scheduler';
import { UsersService } from '@numerai/users';
import { DEFAULT_TIME_ZONE, ReadingsService } from './readings.service';

/** The published example (websocket-api.md), word for word. */
export const DAILY_READING_TITLE = 'Daily Reading Ready';
export const DAILY_READING_MESSAGE = 'Your daily reading is available';

/**
 * From DAILY_READING_HOUR on, in each user's own zone, that local day's reading is made
 * and announced with one `daily_reading` notification. Due-ness is "the wall clock there
 * says hour ≥ DAILY_READING_HOUR" and the dedupe key is the local date, so a day that
 * skips or repeats an hour (DST) still gets exactly one, a reading due while every
 * instance was down goes out on the first sweep back if it is still that local day, and a
 * user who adds a birth date after the hour gets today's at the next sweep.
 */
@Injectable()
export class DailyReadingJob implements ScheduledJob, OnModuleInit {
  readonly name = 'daily-readings';

  constructor(
    private readonly runner: JobRunner,
    private readonly users: UsersService,
    private readonly readings: ReadingsService,
    private readonly notifications: NotificationsService,
    private readonly ledger: DeliveryLedger,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.runner.register(this);
  }

  async run(): Promise<void> {
    const now = this.clock.now();
    await forEachPage(
      (afterId, limit) => this.users.pageWithBirthDate(afterId, limit),
      (users) =>
        this.ledger.onceEach(
          users.flatMap((user) => {
            const local = localTime(now, user.timeZone ?? DEFAULT_TIME_ZONE);
            if (local.hour < this.config.schedule.dailyReadingHour) return [];
            return [
              {
                key: dedupeKey(user.id, local.date),
                userId: user.id,
                send: (id: string) => this.send(user, local.date, id),
                isStored: (id: string) => this.notifications.exists(id),
              },
            ];
          }),
        ),
    );
  }

  /** Makes (or finds) the day's reading and announces it under `id`; false if the user switched it off. */
  private async send(user: UserEntity, date: string, id: string): Promise<boolean> {
    const reading = await this.readings.forDay(user as UserEntity & { birthDate: string }, date);
    const sent = await this.notifications.notify(user.id, {
      id,
      title: DAILY_READING_TITLE,
      message: DAILY_READING_MESSAGE,
      notification_type: 'daily_reading',
      data: { reading_id: reading.id, date },
    });
    return sent !== null;
  }
}

const dedupeKey = (userId: string, localDate: string) => `daily_reading:${userId}:${localDate}`;
