/**
 * Test data for every target: NumerAI gets real users and consultations through its REST API
 * (register, create, activate); the baselines get the same roster shape with tokens minted
 * locally with the shared secret. A few bench-only shortcuts write straight into NumerAI's
 * bench database (a fresh temp file or a fresh PostgreSQL database), never into a real one.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import type { ConnSpec, RosterRoom, RosterUser } from './types';

export const BENCH_PASSWORD = 'bench-password-not-secret';

export interface HttpReply {
  status: number;
  body: unknown;
}

export async function httpJson(
  port: number,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; timeoutMs?: number } = {},
): Promise<HttpReply> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
}

async function register(port: number, email: string, name: string, role: 'user' | 'numerologist'): Promise<RosterUser> {
  const reply = await httpJson(port, 'POST', '/api/auth/register', {
    body: { email, password: BENCH_PASSWORD, full_name: name, role },
  });
  const body = reply.body as { access_token?: string; user?: { id?: string } };
  if (reply.status !== 201 || !body.access_token || !body.user?.id) {
    throw new Error(`register ${email}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  return { id: body.user.id, name, token: body.access_token };
}

/** `rooms` active consultations, each between a fresh client and a fresh numerologist, all through REST. */
export async function seedNumerai(
  port: number,
  rooms: number,
  runId: string,
  onProgress: (done: number) => void = () => undefined,
): Promise<RosterRoom[]> {
  const roster: RosterRoom[] = new Array<RosterRoom>(rooms);
  let next = 0;
  let done = 0;
  async function worker(): Promise<void> {
    while (next < rooms) {
      const i = next++;
      const client = await register(port, `bench-${runId}-c${i}@bench.test`, `Bench Client ${i}`, 'user');
      const numerologist = await register(
        port,
        `bench-${runId}-n${i}@bench.test`,
        `Bench Numerologist ${i}`,
        'numerologist',
      );
      const created = await httpJson(port, 'POST', '/api/consultations', {
        token: client.token,
        body: { numerologist_id: numerologist.id },
      });
      const consultation = created.body as { id?: string };
      if (created.status !== 201 || !consultation.id) {
        throw new Error(`create consultation: HTTP ${created.status} ${JSON.stringify(created.body)}`);
      }
      const patched = await httpJson(port, 'PATCH', `/api/consultations/${consultation.id}`, {
        token: numerologist.token,
        body: { status: 'active' },
      });
      if (patched.status !== 200) {
        throw new Error(`activate consultation: HTTP ${patched.status} ${JSON.stringify(patched.body)}`);
      }
      roster[i] = { id: consultation.id, client, numerologist };
      onProgress(++done);
    }
  }
  // Registration hashes passwords (argon2): a few in flight keep both cores busy.
  await Promise.all(Array.from({ length: 8 }, worker));
  return roster;
}

/** A token as the server issues it; NumerAI also needs `sid`, a session of that user in its database (see cloneUsers). */
export function mintToken(secret: string, user: { id: string; name: string; sid?: string }, role = 'user'): string {
  const claims = { sub: user.id, name: user.name, role, ...(user.sid ? { sid: user.sid } : {}) };
  return jwt.sign(claims, secret, { algorithm: 'HS256', expiresIn: '12h' });
}

/** The same roster shape for the baselines: fresh ids, tokens signed with the shared secret. */
export function syntheticRoster(rooms: number, secret: string): RosterRoom[] {
  return Array.from({ length: rooms }, (_, i) => {
    const client = { id: randomUUID(), name: `Bench Client ${i}` };
    const numerologist = { id: randomUUID(), name: `Bench Numerologist ${i}` };
    return {
      id: randomUUID(),
      client: { ...client, token: mintToken(secret, client, 'user') },
      numerologist: { ...numerologist, token: mintToken(secret, numerologist, 'numerologist') },
    };
  });
}

/** `perRoom` connections in each of the first `rooms` rooms, alternating between the two participants. */
export function chatSpecs(roster: RosterRoom[], rooms: number, perRoom: number): ConnSpec[] {
  if (rooms > roster.length) throw new Error(`roster has ${roster.length} rooms, ${rooms} needed`);
  // Room-major inside each round, so that a connect storm spreads over all the rooms at once.
  const specs: ConnSpec[] = [];
  for (let k = 0; k < perRoom; k++) {
    for (let r = 0; r < rooms; r++) {
      const room = roster[r];
      const user = k % 2 === 0 ? room.client : room.numerologist;
      specs.push({ room: room.id, token: user.token, userId: user.id });
    }
  }
  return specs;
}

/** Direct access to the bench database of a NumerAI target (bench-only setup and checks). */
export interface BenchDb {
  count(table: string): Promise<number>;
  /** Gives the user the admin role (admins cannot self-register; the bench DB is ours). */
  makeAdmin(userId: string): Promise<void>;
  /**
   * Clones a REST-registered user `n` times (same password hash), each with a session of its own
   * (`sid`, for mintToken: the server refuses a token whose session it does not hold): fast setup
   * for 10,000-user scenarios.
   */
  cloneUsers(
    templateUserId: string,
    n: number,
    runId: string,
  ): Promise<Array<{ id: string; name: string; sid: string }>>;
  close(): Promise<void>;
}

export async function openBenchDb(kind: 'sqlite' | 'postgres', location: string): Promise<BenchDb> {
  if (kind === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(location, 'numerai.sqlite'), { timeout: 10_000 });
    db.pragma('busy_timeout = 10000');
    return {
      count: async (table) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n,
      makeAdmin: async (userId) => {
        db.prepare(`UPDATE users SET role = 'admin' WHERE id = ?`).run(userId);
      },
      cloneUsers: async (templateUserId, n, runId) => {
        const insert = db.prepare(
          `INSERT INTO users (id, email, password_hash, full_name, role, created_at)
           SELECT ?, ?, password_hash, ?, 'user', created_at FROM users WHERE id = ?`,
        );
        const session = db.prepare(
          `INSERT INTO sessions (id, user_id, created_at, refreshed_at) SELECT ?, ?, created_at, created_at FROM users WHERE id = ?`,
        );
        const users = cloneIds(n);
        db.transaction(() => {
          users.forEach((user, i) => {
            insert.run(user.id, `bench-${runId}-r${i}@bench.test`, user.name, templateUserId);
            session.run(user.sid, user.id, templateUserId);
          });
        })();
        return users;
      },
      close: async () => {
        db.close();
      },
    };
  }
  const { Client } = await import('pg');
  const client = new Client({ connectionString: location });
  await client.connect();
  return {
    count: async (table) => Number((await client.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n),
    makeAdmin: async (userId) => {
      await client.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [userId]);
    },
    cloneUsers: async (templateUserId, n, runId) => {
      const users = cloneIds(n);
      await client.query('BEGIN');
      for (let i = 0; i < users.length; i++) {
        await client.query(
          `INSERT INTO users (id, email, password_hash, full_name, role, created_at)
           SELECT $1, $2, password_hash, $3, 'user', created_at FROM users WHERE id = $4`,
          [users[i].id, `bench-${runId}-r${i}@bench.test`, users[i].name, templateUserId],
        );
        await client.query(
          `INSERT INTO sessions (id, user_id, created_at, refreshed_at) VALUES ($1, $2, now(), now())`,
          [users[i].sid, users[i].id],
        );
      }
      await client.query('COMMIT');
      return users;
    },
    close: () => client.end(),
  };
}

function cloneIds(n: number): Array<{ id: string; name: string; sid: string }> {
  return Array.from({ length: n }, (_, i) => ({ id: randomUUID(), name: `Bench Reader ${i}`, sid: randomUUID() }));
}
