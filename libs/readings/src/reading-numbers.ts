import { parseCalendarDate } from '@numerai/common';
import type { ReadingNumbers } from './reading.entity';
import { expression, lifePath, personalDay, personalMonth, personalYear } from './numerology';

/** The numbers of `localDate` (YYYY-MM-DD) for someone born on `birthDate`, named `birthName` at birth. */
export function readingNumbers(birthDate: string, birthName: string | null, localDate: string): ReadingNumbers {
  const birth = parseCalendarDate(birthDate);
  const on = parseCalendarDate(localDate);
  return {
    life_path: lifePath(birth),
    personal_year: personalYear(birth, on.year),
    personal_month: personalMonth(birth, on),
    personal_day: personalDay(birth, on),
    expression: birthName ? expression(birthName) : null,
  };
}
