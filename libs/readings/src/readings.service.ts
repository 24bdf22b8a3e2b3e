import { Injectable } from '@nestjs/common';
import { ConflictError, localTime, NotFoundError } from '@numerai/common';
import type { ReadingEntity, ReadingNumbers } from './reading.entity';
import type { UserEntity } from '@numerai/users';
import { Clock } from '@numerai/scheduler';
import { UsersService } from '@numerai/users';
import { readingNumbers } from './reading-numbers';
import { readingText } from './reading-text';
import { ReadingsRepository } from './readings.repository';

/** Users who never set a zone live on UTC days. */
export const DEFAULT_TIME_ZONE = 'UTC';

type ReadingSubject = Pick<UserEntity, 'id' | 'birthDate' | 'birthName' | 'timeZone'>;

@Injectable()
export class ReadingsService {
  constructor(
    private readonly readings: ReadingsRepository,
    private readonly users: UsersService,
    private readonly clock: Clock,
  ) {}

  /** The user's local calendar day right now. */
  localToday(user: Pick<UserEntity, 'timeZone'>): string {
    return localTime(this.clock.now(), user.timeZone ?? DEFAULT_TIME_ZONE).date;
  }

  /**
   * The stored reading of that local day (today's: callers never pass another), made on first
   * use. It is of the birth date and birth name the user has now: after either changed, the
   * stored row is rewritten in place (same id, so a notification pointing at it still leads
   * to it). Past days keep the reading they were given. The user must have a birth date.
   */
  async forDay(user: ReadingSubject & { birthDate: string }, localDate: string): Promise<ReadingEntity> {
    const numbers = readingNumbers(user.birthDate, user.birthName, localDate);
    const current = { numbers, text: readingText(numbers) };
    const stored = await this.readings.findOrCreate(user.id, localDate, () => current);
    return sameNumbers(stored.numbers, numbers) ? stored : this.readings.rewrite(stored, current);
  }

  async today(userId: string): Promise<ReadingEntity> {
    const user = withBirthDate(await this.users.getById(userId));
    return this.forDay(user, this.localToday(user));
  }

  /** A past day's stored reading; today's is made if needed. Future days have none yet. */
  async onDate(userId: string, date: string): Promise<ReadingEntity> {
    const user = withBirthDate(await this.users.getById(userId));
    if (date === this.localToday(user)) return this.forDay(user, date);
    const stored = await this.readings.find(userId, date);
    if (!stored) throw new NotFoundError(`No reading for ${date}`);
    return stored;
  }
}

function sameNumbers(a: ReadingNumbers, b: ReadingNumbers): boolean {
  const keys = Object.keys(b) as (keyof ReadingNumbers)[];
  return Object.keys(a).length === keys.length && keys.every((key) => a[key] === b[key]);
}

function withBirthDate<T extends ReadingSubject>(user: T): T & { birthDate: string } {
  if (!user.birthDate) {
    throw new ConflictError('Daily readings need your birth date: set birth_date with PATCH /api/users/me');
  }
  return user as T & { birthDate: string };
}
