import { jwtWith } from './jwt.test-support';
import { renewalDelayMs, TokenRenewal } from './token-renewal';

const NOW = 1_700_000_000_000;
const noJitter = () => 0;

describe('renewalDelayMs', () => {
  it('renews a 15-minute token at 80 % of its lifetime', () => {
    const token = jwtWith({ iat: NOW / 1000, exp: NOW / 1000 + 900 });
    expect(renewalDelayMs(token, { now: NOW, random: noJitter })).toBe(720_000);
  });

  it('renews a 2-minute token 60 s before it expires', () => {
    const token = jwtWith({ iat: NOW / 1000, exp: NOW / 1000 + 120 });
    expect(renewalDelayMs(token, { now: NOW, random: noJitter })).toBe(60_000);
  });

  it('never renews a short token in its first half (no renewal loop)', () => {
    const token = jwtWith({ iat: NOW / 1000, exp: NOW / 1000 + 10 });
    expect(renewalDelayMs(token, { now: NOW, random: noJitter })).toBe(5_000);
  });

  it('takes up to 10 % off for jitter', () => {
    const token = jwtWith({ iat: NOW / 1000, exp: NOW / 1000 + 900 });
    expect(renewalDelayMs(token, { now: NOW, random: () => 0.999 })).toBeCloseTo(720_000 * 0.9001, -1);
  });

  it('counts from the device clock for a token seen late, and renews at once (after 1 s) one that looks expired', () => {
    const token = jwtWith({ iat: NOW / 1000 - 800, exp: NOW / 1000 + 100 });
    expect(renewalDelayMs(token, { now: NOW, random: noJitter })).toBe(1_000);
    const later = jwtWith({ iat: NOW / 1000 - 100, exp: NOW / 1000 + 800 });
    expect(renewalDelayMs(later, { now: NOW, random: noJitter })).toBe(620_000);
  });

  it('schedules a fresh token from its own lifetime, whatever the device clock says', () => {
    const issuedByASkewedServer = jwtWith({ iat: NOW / 1000 - 3600, exp: NOW / 1000 - 2700 });
    expect(renewalDelayMs(issuedByASkewedServer, { now: NOW, fresh: true, random: noJitter })).toBe(720_000);
  });

  it('has nothing to schedule for a token without exp', () => {
    expect(renewalDelayMs('opaque', { now: NOW })).toBeNull();
    expect(renewalDelayMs(jwtWith({ sub: 'u' }), { now: NOW })).toBeNull();
  });
});

describe('TokenRenewal', () => {
  beforeEach(() => jest.useFakeTimers({ now: NOW }));
  afterEach(() => jest.useRealTimers());

  it('calls renew when due, once per schedule; a new schedule replaces the old', () => {
    const renew = jest.fn();
    const renewal = new TokenRenewal(renew, noJitter);
    renewal.schedule(jwtWith({ iat: NOW / 1000, exp: NOW / 1000 + 120 }));
    renewal.schedule(jwtWith({ iat: NOW / 1000, exp: NOW / 1000 + 900 }));
    jest.advanceTimersByTime(719_999);
    expect(renew).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(renew).toHaveBeenCalledTimes(1);
    expect(renewal.pending).toBe(false);
    renewal.schedule(jwtWith({ iat: NOW / 1000, exp: NOW / 1000 + 900 }));
    renewal.cancel();
    jest.advanceTimersByTime(10_000_000);
    expect(renew).toHaveBeenCalledTimes(1);
  });
});
