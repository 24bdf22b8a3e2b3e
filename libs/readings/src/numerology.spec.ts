import fc from 'fast-check';
import {
  expression,
  latinWords,
  letterValue,
  lifePath,
  personalDay,
  personalMonth,
  personalYear,
  reduce,
  reduceToDigit,
} from './numerology';

/**
 * Worked examples from published references:
 * - [Decoz] Hans Decoz, "Do your own numerology report", https://www.decoz.com/do-your-own-numerology-report.htm
 *   (life path: October 12, 1936 → 1 + 3 + 1 = 5; November 22, 1992 → 11 + 22 + 3 = 36 → 9).
 * - [WorldNumerology] Hans Decoz, "The Expression", https://www.worldnumerology.com/numerology-expression/
 *   (the letter chart: A=1 … I=9, J=1 …; each name reduced, then the sum).
 * - [Gayna] "How do numbers affect my life? — The Personal Year", http://www.gayna.org/numbersaffect1.htm
 *   (born 27 June, year 2004: 2+7+6+2+0+0+4 = 21 → personal year 3).
 * - [WooBiz] "Numerology calculator", https://woobiz.net/numerology-calculator
 *   (expression of John Smith: JOHN 20 → 2, SMITH 24 → 6, 2 + 6 = 8).
 * - [WebIndia] "Expression number", https://www.webindia123.com/astrology/numerology/destiny.htm
 *   (MARY ANN = 4+1+9+7+1+5+5 = 32 → 5).
 * - [LifePathCalc] "How to calculate your life path number", https://lifepathcalc.pages.dev/how-to-calculate-life-path-number
 *   (March 17, 1985 → 3 + 8 + 5 = 16 → 7; May 14, 1990 → 5 + 5 + 1 = 11, a master number kept).
 */
describe('Pythagorean numerology', () => {
  describe('worked examples', () => {
    it.each([
      ['Decoz: October 12, 1936', { year: 1936, month: 10, day: 12 }, 5],
      ['Decoz: November 22, 1992 (master month and day kept, total reduced)', { year: 1992, month: 11, day: 22 }, 9],
      ['LifePathCalc: March 17, 1985', { year: 1985, month: 3, day: 17 }, 7],
      ['LifePathCalc: May 14, 1990 (master 11 kept)', { year: 1990, month: 5, day: 14 }, 11],
    ])('life path, %s', (_source, birth, expected) => {
      expect(lifePath(birth)).toBe(expected);
    });

    it('Gayna: personal year of someone born 27 June, in 2004, is 3', () => {
      expect(personalYear({ month: 6, day: 27 }, 2004)).toBe(3);
    });

    it('personal month adds the calendar month, personal day the calendar day (Decoz)', () => {
      // Personal year 3 (above); June: 3 + 6 = 9; 15 June: 9 + (1 + 5) = 15 → 6.
      expect(personalMonth({ month: 6, day: 27 }, { year: 2004, month: 6 })).toBe(9);
      expect(personalDay({ month: 6, day: 27 }, { year: 2004, month: 6, day: 15 })).toBe(6);
    });

    it.each([
      ['WooBiz: John Smith', 'John Smith', 8],
      ['WebIndia: Mary Ann', 'Mary Ann', 5],
    ])('expression, %s', (_source, name, expected) => {
      expect(expression(name)).toBe(expected);
    });

    it('the letter chart of WorldNumerology', () => {
      expect([...'AJS'].map(letterValue)).toEqual([1, 1, 1]);
      expect([...'IR'].map(letterValue)).toEqual([9, 9]);
      expect([...'MZ'].map(letterValue)).toEqual([4, 8]);
    });
  });

  describe('letters outside A–Z', () => {
    it('counts accented Latin letters as their base letter and special ones by their spelling', () => {
      expect(latinWords('José  Müller-Lüdenscheidt')).toEqual(['JOSE', 'MULLER', 'LUDENSCHEIDT']);
      expect(latinWords('Straße Øre Łukasz')).toEqual(['STRASSE', 'ORE', 'LUKASZ']);
      expect(expression('Zoë Brontë')).toBe(expression('Zoe Bronte'));
    });

    it('skips other scripts, and a name with no countable letter has no expression number', () => {
      expect(expression('Анна Smith')).toBe(expression('Smith'));
      expect(expression('山田 太郎')).toBeNull();
      expect(expression(' - ')).toBeNull();
    });
  });

  describe('properties', () => {
    const valid = (n: number) => (n >= 1 && n <= 9) || n === 11 || n === 22 || n === 33;
    const date = fc
      .date({ min: new Date('0100-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => ({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }));

    it('every result is 1–9, 11, 22 or 33; cycle numbers are 1–9', () => {
      fc.assert(
        fc.property(date, date, fc.string({ maxLength: 200 }), (birth, on, name) => {
          expect(valid(lifePath(birth))).toBe(true);
          for (const cycle of [personalYear(birth, on.year), personalMonth(birth, on), personalDay(birth, on)]) {
            expect(cycle >= 1 && cycle <= 9).toBe(true);
          }
          const number = expression(name);
          expect(number === null || valid(number)).toBe(true);
        }),
      );
    });

    it('reduction is stable: reducing a reduced number changes nothing', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (n) => {
          expect(valid(reduce(n))).toBe(true);
          expect(reduce(reduce(n))).toBe(reduce(n));
          expect(reduceToDigit(reduceToDigit(n))).toBe(reduceToDigit(n));
          // Same residue mod 9 as the number itself (digit sums preserve it), masters included.
          expect(reduceToDigit(n) % 9).toBe(n % 9);
        }),
      );
    });

    it('reduction never gets below 1 and refuses what is not a positive whole number', () => {
      expect(() => reduce(0)).toThrow(RangeError);
      expect(() => reduce(1.5)).toThrow(RangeError);
    });
  });
});
