/**
 * Calendar dates and IANA time zones, from the runtime's own zone database (Intl): the
 * local day of a user is computed, never assumed from the server's zone.
 */

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The runtime's canonical name for an IANA zone (`europe/berlin` → `Europe/Berlin`), or undefined if unknown. */
export function canonicalTimeZone(name: string): string | undefined {
  // Offsets such as "+01:00" are not zones: they ignore daylight saving, which is the point of asking for one.
  if (name.length === 0 || name.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined; // RangeError: not in the zone database
  }
}

/**
 * `YYYY-MM-DD` naming a day that exists on the proleptic Gregorian calendar (no 2023-02-30),
 * from 0001-01-01 to 9999-12-31: the calendar counts no year 0 (1 BC is followed by AD 1).
 */
export function isCalendarDate(value: string): boolean {
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1) return false;
  // Not Date.UTC(year, …): it reads years 0–99 as 1900–1999, so 0050-01-01 would not round-trip.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

export function parseCalendarDate(value: string): CalendarDate {
  const match = DATE_PATTERN.exec(value);
  if (!match || !isCalendarDate(value)) throw new RangeError(`Not a calendar date: ${value}`);
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

export interface LocalTime {
  /** `YYYY-MM-DD` on the wall calendar of the zone. */
  date: string;
  /** 0–23 on the wall clock of the zone. */
  hour: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** What the calendar and the clock on the wall say at `instant` in `timeZone` (DST included). */
export function localTime(instant: Date, timeZone: string): LocalTime {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(instant).map((part) => [part.type, part.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}
