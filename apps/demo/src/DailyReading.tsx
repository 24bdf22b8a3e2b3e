import { FormEvent, useCallback, useEffect, useState } from 'react';
import { call } from './api';

interface Reading {
  id: string;
  date: string;
  numbers: {
    life_path: number;
    personal_year: number;
    personal_month: number;
    personal_day: number;
    expression: number | null;
  };
  text: string;
}

/** The reading of the day; without a birth date, a small form to set one (PATCH /api/users/me). */
export function DailyReading({ token }: { token: string }) {
  const [reading, setReading] = useState<Reading | null>(null);
  const [needsBirthDate, setNeedsBirthDate] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [birthDate, setBirthDate] = useState('');

  const load = useCallback(() => {
    const fail = (failure: unknown) => setProblem(failure instanceof Error ? failure.message : String(failure));
    // Ask for the profile first: without a birth date there is no reading to fetch, and a
    // request that can only answer 409 would be an error in the console on every page load.
    call<{ birth_date?: string }>('/api/users/me', { token }).then((me) => {
      if (!me.birth_date) {
        setNeedsBirthDate(true);
        return;
      }
      call<Reading>('/api/readings/today', { token }).then((today) => {
        setReading(today);
        setNeedsBirthDate(false);
      }, fail);
    }, fail);
  }, [token]);
  useEffect(load, [load]);

  const save = (event: FormEvent) => {
    event.preventDefault();
    // The browser's own zone, so "today" is the user's day.
    const time_zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    call('/api/users/me', { method: 'PATCH', token, body: { birth_date: birthDate, time_zone } }).then(load, (f) =>
      setProblem(f instanceof Error ? f.message : String(f)),
    );
  };

  return (
    <section className="reading" data-testid="daily-reading">
      <h2>Reading of the day</h2>
      {problem && <p className="error">{problem}</p>}
      {needsBirthDate && (
        <form onSubmit={save}>
          <label className="muted small">
            Your birth date{' '}
            <input
              type="date"
              data-testid="birth-date"
              value={birthDate}
              onChange={(event) => setBirthDate(event.target.value)}
            />
          </label>{' '}
          <button type="submit" data-testid="save-birth-date" disabled={!birthDate}>
            Save
          </button>
        </form>
      )}
      {reading && (
        <>
          <p className="small">
            <span data-testid="reading-day">Personal day {reading.numbers.personal_day}</span> · life path{' '}
            {reading.numbers.life_path} · year {reading.numbers.personal_year} · {reading.date}
          </p>
          <p className="small" data-testid="reading-text">
            {reading.text}
          </p>
        </>
      )}
    </section>
  );
}
