import { useEffect } from 'react';
import { useLiveSession } from '@numerai/react';
import type { ChatWebSocket } from '@numerai/client';
import { money } from './api';

const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;

/**
 * The consultation's live per-minute session, from the chat socket's `session_state` and
 * `low_balance` frames: the server's clock, counted down here between frames; the client asks,
 * the numerologist accepts, either ends; a top-up during the session extends it.
 */
export function LiveSessionPanel({
  consultationId,
  chat,
  role,
  onCharged,
  onTopUp,
}: {
  consultationId: string;
  chat: ChatWebSocket | null;
  role: string;
  /** A minute was charged, or the session changed: the wallet's balance moved. */
  onCharged: () => void;
  onTopUp: () => void;
}) {
  const { session, secondsLeft, lowBalance, request, accept, end, error } = useLiveSession(consultationId, { chat });
  const charged = session?.minutes_charged;
  const status = session?.status;
  useEffect(onCharged, [charged, status, onCharged]);
  const open = status === 'requested' || status === 'active' || status === 'paused';

  return (
    <div className="live-session" data-testid="live-session">
      <strong>Live session</strong>{' '}
      <span className="muted small" data-testid="live-status">
        {status ?? 'none'}
      </span>
      {session && (
        <span className="small">
          {' '}
          · {money(session.rate_minor, session.currency)}/min · {session.minutes_charged} min charged (
          {money(session.amount_charged, session.currency)})
        </span>
      )}
      {status === 'active' && (
        <span className="timer" data-testid="live-timer" data-seconds={secondsLeft}>
          {' '}
          {clock(secondsLeft)} left
        </span>
      )}
      {status === 'paused' && <span className="muted small"> (paused: the numerologist is away)</span>}
      {session?.end_reason && <span className="muted small"> (ended: {session.end_reason})</span>}{' '}
      {role === 'user' && !open && (
        <button type="button" data-testid="live-request" onClick={() => void request()}>
          Start live session
        </button>
      )}
      {role === 'numerologist' && status === 'requested' && (
        <button type="button" data-testid="live-accept" onClick={() => void accept()}>
          Accept
        </button>
      )}
      {open && (
        <button type="button" data-testid="live-end" onClick={() => void end()}>
          End
        </button>
      )}
      {lowBalance && (
        <p className="warning" data-testid="low-balance">
          Low balance: {clock(lowBalance.seconds_left)} left.{' '}
          {role === 'user' && (
            <button type="button" data-testid="low-balance-top-up" onClick={onTopUp}>
              Top up
            </button>
          )}
        </p>
      )}
      {error && (
        <p className="error small" data-testid="live-error">
          {error.message}
        </p>
      )}
    </div>
  );
}
