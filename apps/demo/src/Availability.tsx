import { useEffect, useState } from 'react';
import { useAvailability } from '@numerai/react';
import type { AvailabilityStatus } from '@numerai/client';
import { call, money } from './api';

/**
 * Who is available for a live session now, with their rates, kept live over `/ws/availability/`;
 * a numerologist also sets their rate (REST) and their status (on the same socket).
 */
export function Availability({ token, role }: { token: string; role: string }) {
  const { numerologists, setStatus, client } = useAvailability();
  return (
    <section className="availability" data-testid="availability">
      <h2>Available now</h2>
      {numerologists.length === 0 && <p className="muted small">Nobody is available right now.</p>}
      <ul className="available">
        {numerologists.map((n) => (
          <li key={n.user_id} data-testid="available-numerologist" data-user-id={n.user_id}>
            <span className="dot online" /> <span className="name">{n.full_name}</span>{' '}
            <span className="muted small" data-testid="available-rate">
              {money(n.rate_minor, n.currency)}/min
            </span>
          </li>
        ))}
      </ul>
      {role === 'numerologist' && <MyAvailability token={token} setStatus={setStatus} client={client} />}
    </section>
  );
}

type Client = ReturnType<typeof useAvailability>['client'];

function MyAvailability({
  token,
  setStatus,
  client,
}: {
  token: string;
  setStatus: (status: AvailabilityStatus) => void;
  client: Client;
}) {
  const [mine, setMine] = useState<{ status: AvailabilityStatus; rate_minor: number | null } | null>(null);
  const [rate, setRate] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    call<{ status: AvailabilityStatus; rate_minor: number | null }>('/api/availability', { token }).then(
      setMine,
      (failure: unknown) => setProblem(failure instanceof Error ? failure.message : String(failure)),
    );
  }, [token]);
  useEffect(() => {
    if (!client) return;
    const stops = [
      client.on('availability_set', (frame) => setMine({ status: frame.status, rate_minor: frame.rate_minor ?? null })),
      client.on('error', (frame) => setProblem(frame.message)),
    ];
    return () => stops.forEach((stop) => stop());
  }, [client]);

  const saveRate = () => {
    setProblem(null);
    call<{ status: AvailabilityStatus; rate_minor: number | null }>('/api/availability/rate', {
      method: 'PUT',
      token,
      body: { rate_minor: Number(rate) },
    }).then(setMine, (failure: unknown) => setProblem(failure instanceof Error ? failure.message : String(failure)));
  };

  return (
    <div className="my-availability">
      <p className="small">
        You are <strong data-testid="my-status">{mine?.status ?? '…'}</strong>
        {mine?.rate_minor != null && <span className="muted"> at {mine.rate_minor} minor units/min</span>}
      </p>
      <p>
        <input
          data-testid="rate-input"
          placeholder="rate (minor units/min)"
          inputMode="numeric"
          value={rate}
          onChange={(event) => setRate(event.target.value)}
        />{' '}
        <button type="button" data-testid="save-rate" disabled={!/^\d+$/.test(rate)} onClick={saveRate}>
          Set rate
        </button>
      </p>
      <p>
        {(['available', 'busy', 'offline'] as const).map((status) => (
          <button
            key={status}
            type="button"
            data-testid={`set-${status}`}
            disabled={mine?.status === status}
            onClick={() => {
              setProblem(null);
              setStatus(status);
            }}
          >
            {status}
          </button>
        ))}
      </p>
      {problem && <p className="error small">{problem}</p>}
    </div>
  );
}
