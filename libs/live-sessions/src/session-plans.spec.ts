import type { LiveSessionEntity } from './live-session.entity';
import { endPlan, nextMinutePlan, pausePlan, resumePlan, startPlan } from './session-plans';

const T0 = new Date('2026-12-07T10:00:00.000Z');
const MINUTE = 60_000;

function session(overrides: Partial<LiveSessionEntity> = {}): LiveSessionEntity {
  return {
    id: 's1',
    clientId: 'client',
    numerologistId: 'numerologist',
    status: 'active',
    rateMinor: 100,
    earningMinor: 80,
    freeMinutes: 0,
    minuteNumber: 1,
    minutesCharged: 1,
    amountCharged: 100,
    paidUntil: new Date(T0.getTime() + MINUTE),
    ...overrides,
  } as LiveSessionEntity;
}

/** The ledger keys a session's steps use: one per minute and movement, so no step can move money twice. */
describe('session plans', () => {
  it('accepting starts minute 1 now and charges it, unless it is free', () => {
    const requested = session({ status: 'requested', minuteNumber: 0, minutesCharged: 0, amountCharged: 0 });
    expect(startPlan(requested, T0, MINUTE)).toEqual({
      changes: expect.objectContaining({ status: 'active', minute_number: 1, started_at: T0, amount_charged: 100 }),
      transfers: [{ kind: 'charge', userId: 'client', amount: 100, key: 'session:s1:minute:1' }],
    });
    expect(startPlan({ ...requested, freeMinutes: 1 }, T0, MINUTE).transfers).toEqual([]);
  });

  it('the next minute starts where the paid time ended (no drift), earning the last and charging the next', () => {
    const plan = nextMinutePlan(session(), MINUTE);
    expect(plan.changes).toMatchObject({ minute_number: 2, paid_until: new Date(T0.getTime() + 2 * MINUTE) });
    expect(plan.transfers).toEqual([
      { kind: 'earning', userId: 'numerologist', amount: 80, key: 'session:s1:minute:1:earning' },
      { kind: 'charge', userId: 'client', amount: 100, key: 'session:s1:minute:2' },
    ]);
  });

  it('a pause refunds the current minute if it was charged, and earns nothing for it', () => {
    const plan = pausePlan(session({ minuteNumber: 2, minutesCharged: 2, amountCharged: 200 }), T0);
    expect(plan.changes).toMatchObject({ status: 'paused', minutes_charged: 1, amount_charged: 100 });
    expect(plan.transfers).toEqual([
      { kind: 'refund', userId: 'client', amount: 100, key: 'session:s1:minute:2:refund' },
    ]);
    expect(pausePlan(session({ freeMinutes: 1 }), T0).transfers).toEqual([]);
  });

  it('resuming starts a new minute now; ending a paused session earns nothing, a running one its current minute', () => {
    const paused = session({ status: 'paused', minuteNumber: 2, minutesCharged: 1, paidUntil: null });
    expect(resumePlan(paused, T0, MINUTE).transfers).toEqual([
      { kind: 'charge', userId: 'client', amount: 100, key: 'session:s1:minute:3' },
    ]);
    expect(endPlan(paused, T0, 'client').transfers).toEqual([]);
    expect(endPlan(session(), T0, 'balance').transfers).toEqual([
      { kind: 'earning', userId: 'numerologist', amount: 80, key: 'session:s1:minute:1:earning' },
    ]);
    expect(endPlan(session({ earningMinor: 0 }), T0, 'client').transfers).toEqual([]);
  });
});
