import { canonicalTimeZone, isCalendarDate, localTime } from './calendar';

describe('calendar', () => {
  it('accepts IANA zones in any case and returns the canonical name', () => {
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('Foo/Bar')).toBeUndefined();
    expect(canonicalTimeZone('+01:00')).toBeUndefined();
    expect(canonicalTimeZone('')).toBeUndefined();
  });

  it('knows which dates exist', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2023-13-01')).toBe(false);
    expect(isCalendarDate('2023-1-01')).toBe(false);
  });

  it('knows the dates of years 0001–0099 too (Date.UTC would read them as 1900–1999), and that there is no year 0', () => {
    expect(isCalendarDate('0001-01-01')).toBe(true);
    expect(isCalendarDate('0050-06-15')).toBe(true);
    expect(isCalendarDate('0099-12-31')).toBe(true);
    expect(isCalendarDate('0004-02-29')).toBe(true); // 4 is a leap year
    expect(isCalendarDate('0100-02-29')).toBe(false); // 100 is not
    expect(isCalendarDate('0000-01-01')).toBe(false);
    expect(isCalendarDate('9999-12-31')).toBe(true);
  });

  it('reads the wall clock of a zone across a daylight-saving change', () => {
    // Berlin moved from CET (+1) to CEST (+2) at 01:00 UTC on 2027-03-28.
    expect(localTime(new Date('2027-03-27T06:00:00Z'), 'Europe/Berlin')).toEqual({ date: '2027-03-27', hour: 7 });
    expect(localTime(new Date('2027-03-28T05:00:00Z'), 'Europe/Berlin')).toEqual({ date: '2027-03-28', hour: 7 });
    expect(localTime(new Date('2027-03-27T23:30:00Z'), 'Europe/Berlin')).toEqual({ date: '2027-03-28', hour: 0 });
  });
});
