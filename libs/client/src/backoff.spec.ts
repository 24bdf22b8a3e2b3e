import fc from 'fast-check';
import { backoffDelay, DEFAULT_BACKOFF, nominalDelay } from './backoff';

describe('backoff', () => {
  it('follows the published schedule: 1 s, then 2^n s', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => nominalDelay(attempt))).toEqual([1000, 2000, 4000, 8000, 16000]);
  });

  it('is capped by maxDelayMs before randomisation', () => {
    expect(nominalDelay(10, { ...DEFAULT_BACKOFF, maxDelayMs: 5000 })).toBe(5000);
    expect(backoffDelay(10, { ...DEFAULT_BACKOFF, maxDelayMs: 5000 }, () => 0.5)).toBe(5000);
  });

  it('randomises by ±50 %: the extremes of the random source map to half and one-and-a-half times', () => {
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 0)).toBe(500);
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 0.5)).toBe(1000);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0)).toBe(2000);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.999999)).toBe(6000);
  });

  it('always stays within [nominal·0.5, nominal·1.5] for any attempt and random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const nominal = nominalDelay(attempt);
          const delay = backoffDelay(attempt, DEFAULT_BACKOFF, () => r);
          return delay >= Math.floor(nominal * 0.5) && delay <= Math.ceil(nominal * 1.5);
        },
      ),
    );
  });

  it('spreads real Math.random delays over the whole band rather than one value', () => {
    const delays = Array.from({ length: 400 }, () => backoffDelay(2));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(3000);
    expect(Math.min(...delays)).toBeLessThan(1200);
    expect(Math.max(...delays)).toBeGreaterThan(2800);
  });

  it('jitter 0 gives exact delays', () => {
    expect(backoffDelay(4, { ...DEFAULT_BACKOFF, jitter: 0 }, () => 0.9)).toBe(8000);
  });
});
