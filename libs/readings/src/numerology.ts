/**
 * Pythagorean numerology, as taught by Hans Decoz (worldnumerology.com, decoz.com): pure
 * functions, no I/O. Every result is 1–9 or a master number (11, 22, 33).
 *
 * Where master numbers are kept:
 * - life path and expression keep 11, 22 and 33, in their parts (month, day, year; each
 *   name) and in the total, as the method does;
 * - the cycle numbers (personal year, month and day) are positions in a nine-year cycle,
 *   so they are always reduced to 1–9.
 *
 * Letters: A–Z count 1–9 by alphabet position (A, J, S = 1 … I, R = 9). Latin letters with
 * diacritics count as their base letter (É → E, Å → A; ß → SS, Æ → AE, Œ → OE, Ø → O,
 * Ł → L, Đ → D, Þ → TH), since a birth certificate's accents do not change the letter in
 * the method. Letters of other scripts (Cyrillic, Greek, CJK …) have no Pythagorean value
 * and are skipped; a name with no countable letter has no expression number (null).
 */

export const MASTER_NUMBERS = [11, 22, 33] as const;

const isMaster = (n: number) => (MASTER_NUMBERS as readonly number[]).includes(n);

function digitSum(n: number): number {
  let sum = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 10)) sum += rest % 10;
  return sum;
}

/** Adds digits until 1–9, stopping at a master number. `n` is a positive whole number. */
export function reduce(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`Cannot reduce ${n}`);
  let value = n;
  while (value > 9 && !isMaster(value)) value = digitSum(value);
  return value;
}

/** Adds digits until 1–9, masters included (cycle numbers). */
export function reduceToDigit(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`Cannot reduce ${n}`);
  let value = n;
  while (value > 9) value = digitSum(value);
  return value;
}

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

/** Month, day and year each reduced (masters kept), then the sum reduced (masters kept). */
export function lifePath(birth: DateParts): number {
  return reduce(reduce(birth.month) + reduce(birth.day) + reduce(birth.year));
}

/** Birth month and day with the calendar year: the year of the nine-year cycle. */
export function personalYear(birth: Pick<DateParts, 'month' | 'day'>, year: number): number {
  return reduceToDigit(reduceToDigit(birth.month) + reduceToDigit(birth.day) + reduceToDigit(year));
}

export function personalMonth(birth: Pick<DateParts, 'month' | 'day'>, on: Pick<DateParts, 'year' | 'month'>): number {
  return reduceToDigit(personalYear(birth, on.year) + reduceToDigit(on.month));
}

export function personalDay(birth: Pick<DateParts, 'month' | 'day'>, on: DateParts): number {
  return reduceToDigit(personalMonth(birth, on) + reduceToDigit(on.day));
}

const SPECIAL_LETTERS: Record<string, string> = { ß: 'SS', Æ: 'AE', Œ: 'OE', Ø: 'O', Ł: 'L', Đ: 'D', Þ: 'TH' };

/** The name's letters as A–Z, words kept apart; diacritics dropped, other scripts skipped. */
export function latinWords(name: string): string[] {
  return name
    .replace(/[ßæœøłđþ]/gi, (letter) => SPECIAL_LETTERS[letter === 'ß' ? 'ß' : letter.toUpperCase()] ?? '')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .split(/[\s\-‐]+/u)
    .map((word) => word.replace(/[^A-Z]/g, ''))
    .filter((word) => word.length > 0);
}

/** A=1 … I=9, J=1 … R=9, S=1 … Z=8. */
export function letterValue(letter: string): number {
  return ((letter.charCodeAt(0) - 65) % 9) + 1;
}

/** Each name reduced (masters kept), then the sum reduced (masters kept); null without countable letters. */
export function expression(birthName: string): number | null {
  const words = latinWords(birthName);
  if (words.length === 0) return null;
  const parts = words.map((word) => reduce([...word].reduce((sum, letter) => sum + letterValue(letter), 0)));
  return reduce(parts.reduce((sum, part) => sum + part, 0));
}
