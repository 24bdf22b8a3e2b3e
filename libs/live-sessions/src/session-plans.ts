import type { SqlValue } from '@numerai/database';
import type { LiveSessionEndReason } from '@numerai/protocol';
import type { SettlementPart } from '@numerai/wallet';
import type { LiveSessionEntity } from './live-session.entity';

/** A change of a session row (columns by their SQL names) and the money that moves with it. */
export interface SessionPlan {
  changes: Record<string, SqlValue>;
  transfers: SettlementPart[];
}

type Session = Pick<
  LiveSessionEntity,
  | 'id'
  | 'clientId'
  | 'numerologistId'
  | 'status'
  | 'rateMinor'
  | 'earningMinor'
  | 'freeMinutes'
  | 'minuteNumber'
  | 'minutesCharged'
  | 'amountCharged'
  | 'paidUntil'
>;

// The ledger keys of a session's minute n: each movement can happen once, whoever tries.
const minuteKey = (session: Session, n: number) => `session:${session.id}:minute:${n}`;

export const isFree = (session: Session, n: number) => n <= session.freeMinutes;

/** Minute `n` starts: the client pays for it now (unless free). */
function startMinute(session: Session, n: number, start: Date, minuteMs: number): SessionPlan {
  const free = isFree(session, n);
  return {
    changes: {
      status: 'active',
      minute_number: n,
      paid_until: new Date(start.getTime() + minuteMs),
      minutes_charged: session.minutesCharged + (free ? 0 : 1),
      amount_charged: session.amountCharged + (free ? 0 : session.rateMinor),
    },
    transfers: free
      ? []
      : [{ kind: 'charge', userId: session.clientId, amount: session.rateMinor, key: minuteKey(session, n) }],
  };
}

/** The current minute was served in full (or ended early by a participant): the numerologist earns it. */
function earnCurrent(session: Session): SettlementPart[] {
  if (session.status !== 'active' || session.minuteNumber === 0 || session.earningMinor === 0) return [];
  const key = `${minuteKey(session, session.minuteNumber)}:earning`;
  return [{ kind: 'earning', userId: session.numerologistId, amount: session.earningMinor, key }];
}

/** Accepted: minute 1 starts now. */
export function startPlan(session: Session, now: Date, minuteMs: number): SessionPlan {
  const plan = startMinute(session, 1, now, minuteMs);
  return { ...plan, changes: { ...plan.changes, started_at: now, away_since: null } };
}

/** The paid time ran out: the next minute starts where the last one ended (so no drift from late ticks). */
export function nextMinutePlan(session: Session, minuteMs: number): SessionPlan {
  const plan = startMinute(session, session.minuteNumber + 1, session.paidUntil!, minuteMs);
  return { changes: plan.changes, transfers: [...earnCurrent(session), ...plan.transfers] };
}

/** The numerologist is back: a new minute starts now (the paused one was refunded). */
export function resumePlan(session: Session, now: Date, minuteMs: number): SessionPlan {
  const plan = startMinute(session, session.minuteNumber + 1, now, minuteMs);
  return { ...plan, changes: { ...plan.changes, paused_at: null, away_since: null } };
}

/** The numerologist was away too long in this minute: it is not charged (refunded) and the clock stops. */
export function pausePlan(session: Session, now: Date): SessionPlan {
  const charged = !isFree(session, session.minuteNumber);
  return {
    changes: {
      status: 'paused',
      paused_at: now,
      paid_until: null,
      minutes_charged: session.minutesCharged - (charged ? 1 : 0),
      amount_charged: session.amountCharged - (charged ? session.rateMinor : 0),
    },
    transfers: charged
      ? [
          {
            kind: 'refund',
            userId: session.clientId,
            amount: session.rateMinor,
            key: `${minuteKey(session, session.minuteNumber)}:refund`,
          },
        ]
      : [],
  };
}

/** Over: a request withdrawn or declined, or a running session ended (its current minute is earned). */
export function endPlan(session: Session, now: Date, reason: LiveSessionEndReason): SessionPlan {
  return {
    changes: { status: 'ended', ended_at: now, end_reason: reason, paid_until: null },
    transfers: earnCurrent(session),
  };
}

export function lapsePlan(now: Date): SessionPlan {
  return { changes: { status: 'lapsed', ended_at: now }, transfers: [] };
}
