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

  it('reads the wall clock of a zone across a daylight-saving change', () => {
    // Berlin moved from CET (+1) to CEST (+2) at 01:00 UTC on 2027-03-28.
    expect(localTime(new Date('2027-03-27T06:00:00Z'), 'Europe/Berlin')).toEqual({ date: '2027-03-27', hour: 7 });
    expect(localTime(new Date('2027-03-28T05:00:00Z'), 'Europe/Berlin')).toEqual({ date: '2027-03-28', hour: 7 });
    expect(localTime(new Date('2027-03-27T23:30:00Z'), 'Europe/Berlin')).toEqual({ date: '2027-03-28', hour: 0 });
  });
});
