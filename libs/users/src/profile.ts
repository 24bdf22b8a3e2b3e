import { canonicalTimeZone, InvalidError, isCalendarDate } from '@numerai/common';
import type { UserEntity } from './user.entity';
import type { UpdateProfileDto } from './dto/update-profile.dto';

/** The furthest-ahead zone is UTC+14: a date later than today there is in the future for everyone. */
const LATEST_OFFSET_MS = 14 * 3600_000;

export type ProfileChanges = Partial<Pick<UserEntity, 'fullName' | 'birthDate' | 'birthName' | 'timeZone'>>;

/** Checks what the DTO cannot (a real, past date; a zone the runtime knows) and maps to entity fields. */
export function profileChanges(dto: UpdateProfileDto, now: Date): ProfileChanges {
  const changes: ProfileChanges = {};
  if (dto.full_name !== undefined) changes.fullName = dto.full_name.trim();
  if (dto.birth_name !== undefined) changes.birthName = dto.birth_name === null ? null : dto.birth_name.trim();
  if (dto.birth_date !== undefined) {
    if (dto.birth_date !== null) {
      if (!isCalendarDate(dto.birth_date)) throw new InvalidError(['birth_date must be a real calendar date']);
      const latest = new Date(now.getTime() + LATEST_OFFSET_MS).toISOString().slice(0, 10);
      if (dto.birth_date > latest) throw new InvalidError(['birth_date must not be in the future']);
    }
    changes.birthDate = dto.birth_date;
  }
  if (dto.time_zone !== undefined) {
    const zone = dto.time_zone === null ? null : canonicalTimeZone(dto.time_zone);
    if (zone === undefined) {
      throw new InvalidError(['time_zone must be an IANA time zone name such as Europe/Berlin']);
    }
    changes.timeZone = zone;
  }
  return changes;
}
