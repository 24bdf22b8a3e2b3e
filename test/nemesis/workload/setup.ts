import { randomBytes } from 'node:crypto';
import { rest } from './socket';
import type { Room, User } from './context';

const PASSWORD = 'nemesis horse battery';

/** The cast of a run: rooms (consultations), an admin, a stranger, consultations with a reminder due mid-run. */
export interface Cast {
  rooms: Room[];
  admin: User;
  /** Shares no consultation with anyone: nobody may ever be shown their presence. */
  stranger: User;
  /** Scheduled consultations whose reminder falls due during the run. */
  reminders: Array<{ id: string; users: User[]; due: number }>;
}

async function register(base: string, role: 'user' | 'numerologist', name: string): Promise<User> {
  const email = `${name}-${randomBytes(4).toString('hex')}@nemesis.test`;
  const res = await rest<{ user: { id: string }; access_token: string; refresh_token: string }>(
    base,
    'POST',
    '/api/auth/register',
    { body: { email, password: PASSWORD, full_name: name, role }, timeoutMs: 20_000 },
  );
  if (res.status !== 201) throw new Error(`register ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.user.id,
    token: res.body.access_token,
    refreshToken: res.body.refresh_token,
    email,
    password: PASSWORD,
  };
}

async function login(base: string, user: User): Promise<User> {
  const res = await rest<{ access_token: string }>(base, 'POST', '/api/auth/login', {
    body: { email: user.email, password: user.password },
  });
  if (res.status !== 200) throw new Error(`login: ${res.status}`);
  return { ...user, token: res.body.access_token };
}

async function consult(base: string, client: User, numerologist: User, scheduledAt?: Date): Promise<string> {
  const res = await rest<{ id: string }>(base, 'POST', '/api/consultations', {
    token: client.token,
    body: { numerologist_id: numerologist.id, ...(scheduledAt ? { scheduled_at: scheduledAt.toISOString() } : {}) },
  });
  if (res.status !== 201) throw new Error(`consultation: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/**
 * Creates the cast through REST before any fault. `promote` makes a user an admin (SQL: admins
 * cannot self-register). Reminders are due at `reminderDueMs` from now (the instances run with
 * CONSULTATION_REMINDER_MINUTES=1, so each consultation is scheduled a minute after its due time).
 */
export async function createCast(
  base: string,
  rooms: number,
  reminderDueMs: number[],
  promote: (userId: string) => Promise<void>,
): Promise<Cast> {
  const cast: Cast = {
    rooms: [],
    admin: await register(base, 'user', 'admin'),
    stranger: await register(base, 'user', 'stranger'),
    reminders: [],
  };
  await promote(cast.admin.id);
  cast.admin = await login(base, cast.admin); // a token minted after the promotion
  for (let index = 0; index < rooms; index++) {
    const client = await register(base, 'user', `client${index}`);
    const numerologist = await register(base, 'numerologist', `numerologist${index}`);
    const id = await consult(base, client, numerologist);
    const started = await rest(base, 'PATCH', `/api/consultations/${id}`, {
      token: numerologist.token,
      body: { status: 'active' },
    });
    if (started.status !== 200) throw new Error(`start consultation: ${started.status}`);
    cast.rooms.push({ index, id, client, numerologist });
  }
  for (const dueMs of reminderDueMs) {
    // Its own pair: the reminder is the only notification they get besides lifecycle ones.
    const client = await register(base, 'user', 'remindee');
    const numerologist = await register(base, 'numerologist', 'reminder');
    const at = new Date(Date.now() + dueMs + 60_000);
    const id = await consult(base, client, numerologist, at);
    cast.reminders.push({ id, users: [client, numerologist], due: dueMs });
  }
  return cast;
}
