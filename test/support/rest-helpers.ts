import { JwtService } from '@nestjs/jwt';
import type { HttpResult } from './http';

/** The engine every database-backed suite of this run uses: PostgreSQL when DATABASE_URL is set. */
export const ENGINE: 'postgres' | 'sqlite' = process.env.DATABASE_URL ? 'postgres' : 'sqlite';

import { TEST_JWT_SECRET } from '@numerai/testing';

/** The secret startTestServer configures; tokens minted with it are genuine, with any other forged. */
export { TEST_JWT_SECRET };

/**
 * Database-backed suites run on SQLite always and on PostgreSQL when DATABASE_URL is set.
 * Without it, say so plainly in the output (and as a skipped test) rather than stay silent.
 */
export function noteSkippedPostgres(suite: string): void {
  if (ENGINE === 'postgres') return;
  process.stdout.write(`${suite}: PostgreSQL run skipped: no DATABASE_URL (this run uses SQLite)\n`);
  describe.skip(`${suite} (postgres) — skipped: no DATABASE_URL`, () => {
    it('set DATABASE_URL=postgres://… to run this suite on PostgreSQL too', () => undefined);
  });
}

/** Signs a token as the server would (or, with another secret, as a forger would). */
export function mintToken(
  claims: { sub: string; name?: string; role?: string; exp?: number; [claim: string]: unknown },
  options: { secret?: string; expiresInSeconds?: number } = {},
): string {
  const jwt = new JwtService({ secret: options.secret ?? TEST_JWT_SECRET });
  const payload = { name: 'Someone', role: 'user', ...claims };
  return payload.exp === undefined
    ? jwt.sign(payload, { algorithm: 'HS256', expiresIn: options.expiresInSeconds ?? 3600 })
    : jwt.sign(payload, { algorithm: 'HS256' });
}

/** The session id (`sid` claim) of an access token the server issued. */
export function sidOf(token: string): string {
  return decodeClaims(token).sid as string;
}

/** Decodes a JWT payload without checking it (for asserting on claims). */
export function decodeClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** rest.md's `user`: exactly these keys, snake_case, never a password hash. */
export function expectUser(value: unknown, expected: Partial<Record<'id' | 'email' | 'full_name' | 'role', string>>) {
  expect(value).toEqual({
    id: expect.stringMatching(UUID),
    email: expect.any(String),
    full_name: expect.any(String),
    role: expect.stringMatching(/^(user|numerologist|admin)$/),
    created_at: expect.stringMatching(ISO),
    ...expected,
  });
}

/** The answer of register, login and refresh: exactly these keys, a Bearer token of JWT_EXPIRES_IN (1h in tests). */
export function expectAuthResult(body: unknown): void {
  expect(Object.keys(body as object).sort()).toEqual([
    'access_token',
    'expires_in',
    'refresh_token',
    'token_type',
    'user',
  ]);
  expect(body).toMatchObject({
    token_type: 'Bearer',
    expires_in: 3600,
    refresh_token: expect.stringMatching(/^[\w-]{43}$/),
  });
}

/** rest.md's `consultation`: exactly these keys. */
export function expectConsultation(
  value: unknown,
  expected: Partial<
    Record<'id' | 'user_id' | 'numerologist_id' | 'status', string> & {
      scheduled_at: string | null;
      /** List items and GET /api/consultations/:id, never a created or changed one. */
      unread_count: number;
    }
  >,
) {
  const scheduledAt = (value as { scheduled_at?: unknown } | null)?.scheduled_at;
  expect(value).toEqual({
    id: expect.stringMatching(UUID),
    user_id: expect.stringMatching(UUID),
    numerologist_id: expect.stringMatching(UUID),
    status: expect.stringMatching(/^(scheduled|active|completed|cancelled)$/),
    scheduled_at: scheduledAt === null ? null : expect.stringMatching(ISO),
    created_at: expect.stringMatching(ISO),
    ...expected,
  });
}

/**
 * rest.md's error shape `{statusCode, error, message}` with the given status; `mentions`
 * must appear in the message (for a 400: the field it names).
 */
export function expectError(res: HttpResult, status: number, mentions?: string | RegExp): void {
  if (res.status !== status) throw new Error(`expected HTTP ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  expect(res.body).toEqual({
    statusCode: status,
    error: expect.any(String),
    message: expect.anything(),
  });
  expect(Object.keys(res.body as object).sort()).toEqual(['error', 'message', 'statusCode']);
  if (mentions !== undefined) {
    const message = (res.body as { message: string | string[] }).message;
    const text = Array.isArray(message) ? message.join('\n') : message;
    if (typeof mentions === 'string') expect(text).toContain(mentions);
    else expect(text).toMatch(mentions);
  }
}
