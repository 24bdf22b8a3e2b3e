import { randomBytes, randomUUID } from 'node:crypto';
import { createUser } from '../support/factories';
import { http } from '../support/http';
import {
  decodeClaims,
  ENGINE,
  expectAuthResult,
  expectError,
  expectUser,
  mintToken,
  noteSkippedPostgres,
  sidOf,
  TEST_JWT_SECRET,
} from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';

noteSkippedPostgres('rest: auth and users');

const PASSWORD = 'correct horse battery';
const uniqueEmail = (tag = 'auth') => `${tag}-${randomBytes(5).toString('hex')}@example.com`;

describe(`REST auth and users (${ENGINE})`, () => {
  let server: TestServer;
  const register = (body: unknown) => http(server.httpUrl, 'POST', '/api/auth/register', { body });
  const login = (body: unknown) => http(server.httpUrl, 'POST', '/api/auth/login', { body });
  const me = (token?: string, headers?: Record<string, string>) =>
    http(server.httpUrl, 'GET', '/api/users/me', { token, headers });

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('POST /api/auth/register', () => {
    it('201 with {access_token, token_type, expires_in, user}; role defaults to user', async () => {
      const email = uniqueEmail();
      const res = await register({ email, password: PASSWORD, full_name: 'Ada Lovelace' });
      expect(res.status).toBe(201);
      expectAuthResult(res.body);
      expectUser(res.body.user, { email, full_name: 'Ada Lovelace', role: 'user' });
      const claims = decodeClaims(res.body.access_token);
      expect(claims).toMatchObject({
        sub: res.body.user.id,
        name: 'Ada Lovelace',
        role: 'user',
        sid: expect.any(String),
      });
      expect(claims.exp).toBe((claims.iat as number) + 3600);
    });

    it('registers a numerologist when asked', async () => {
      const res = await register({
        email: uniqueEmail(),
        password: PASSWORD,
        full_name: 'Pythagoras',
        role: 'numerologist',
      });
      expect(res.status).toBe(201);
      expectUser(res.body.user, { role: 'numerologist' });
    });

    it('stores the email lower-cased and trims the name', async () => {
      const email = uniqueEmail('MiXeD').toUpperCase();
      const res = await register({ email, password: PASSWORD, full_name: '  Grace Hopper  ' });
      expect(res.status).toBe(201);
      expectUser(res.body.user, { email: email.toLowerCase(), full_name: 'Grace Hopper' });
    });

    it('the token it returns works straight away', async () => {
      const res = await register({ email: uniqueEmail(), password: PASSWORD, full_name: 'Token User' });
      const profile = await me(res.body.access_token);
      expect(profile.status).toBe(200);
      expect(profile.body).toEqual(res.body.user);
    });

    it('409 when the email is taken, whatever its case', async () => {
      const email = uniqueEmail();
      expect((await register({ email, password: PASSWORD, full_name: 'First' })).status).toBe(201);
      expectError(await register({ email, password: PASSWORD, full_name: 'Second' }), 409, 'email');
      expectError(await register({ email: email.toUpperCase(), password: PASSWORD, full_name: 'Third' }), 409, 'email');
    });

    it('409 for all but one of several registrations racing for one email', async () => {
      const email = uniqueEmail('race');
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) => register({ email, password: PASSWORD, full_name: `Racer ${i}` })),
      );
      expect(results.map((res) => res.status).sort()).toEqual([201, 409, 409, 409, 409]);
      for (const res of results.filter((r) => r.status === 409)) expectError(res, 409, 'email');
    });

    it('nobody can register as admin: 400 naming role', async () => {
      const email = uniqueEmail();
      expectError(await register({ email, password: PASSWORD, full_name: 'Mallory', role: 'admin' }), 400, 'role');
      // …and nothing was created: the same email is still free.
      expect((await register({ email, password: PASSWORD, full_name: 'Mallory' })).status).toBe(201);
    });

    it.each([
      ['a password shorter than 8 characters', { password: 'short7!' }, 'password'],
      ['a password that is not a string', { password: 12345678 }, 'password'],
      ['a missing password', { password: undefined }, 'password'],
      ['a bad email', { email: 'not-an-email' }, 'email'],
      ['a missing email', { email: undefined }, 'email'],
      ['an empty full_name', { full_name: '' }, 'full_name'],
      ['a missing full_name', { full_name: undefined }, 'full_name'],
      ['an unknown role', { role: 'wizard' }, 'role'],
      ['an unknown property', { is_admin: true }, 'is_admin'],
    ])('400 naming the field for %s', async (_case, override, field) => {
      const body = { email: uniqueEmail(), password: PASSWORD, full_name: 'Valid Name', ...override };
      expectError(await register(body), 400, field);
    });

    it('400 lists every bad field at once', async () => {
      const res = await register({});
      expectError(res, 400);
      const text = (res.body.message as string[]).join('\n');
      for (const field of ['email', 'password', 'full_name']) expect(text).toContain(field);
    });

    it('400 for a body that is not JSON', async () => {
      const raw = await fetch(`${server.httpUrl}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"email": ',
      });
      expect(raw.status).toBe(400);
      expect(await raw.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });
  });

  describe('POST /api/auth/login', () => {
    it('200 with the same shape as register, and a working token', async () => {
      const user = await createUser(server, { name: 'Login Person' });
      const res = await login({ email: user.email, password: user.password });
      expect(res.status).toBe(200);
      expectAuthResult(res.body);
      expectUser(res.body.user, { id: user.id, email: user.email, full_name: 'Login Person', role: 'user' });
      expect((await me(res.body.access_token)).body).toEqual(res.body.user);
    });

    it('accepts the email in any case', async () => {
      const user = await createUser(server);
      const res = await login({ email: user.email.toUpperCase(), password: user.password });
      expect(res.status).toBe(200);
      expect(res.body.user.id).toBe(user.id);
    });

    it('401 with one and the same message for an unknown email and for a wrong password', async () => {
      const user = await createUser(server);
      const wrongPassword = await login({ email: user.email, password: `${user.password}!` });
      const unknownEmail = await login({ email: uniqueEmail('nobody'), password: user.password });
      expectError(wrongPassword, 401);
      expectError(unknownEmail, 401);
      expect(unknownEmail.body).toEqual(wrongPassword.body);
    });

    it('passwords are case-sensitive', async () => {
      const user = await createUser(server, { password: 'Case Sensitive Pass' });
      expectError(await login({ email: user.email, password: 'case sensitive pass' }), 401);
    });

    it.each([
      ['a missing email', { email: undefined }, 'email'],
      ['a missing password', { password: undefined }, 'password'],
      ['an empty password', { password: '' }, 'password'],
      ['an unknown property', { remember_me: true }, 'remember_me'],
    ])('400 naming the field for %s', async (_case, override, field) => {
      expectError(await login({ email: uniqueEmail(), password: PASSWORD, ...override }), 400, field);
    });
  });

  describe('GET /api/users/me', () => {
    it('200 with the caller as `user`', async () => {
      const user = await createUser(server, { role: 'numerologist', name: 'Me Myself' });
      const res = await me(user.token);
      expect(res.status).toBe(200);
      expectUser(res.body, { id: user.id, email: user.email, full_name: 'Me Myself', role: 'numerologist' });
    });

    it('401 without a token', async () => {
      expectError(await me(), 401);
    });

    it.each([
      ['a malformed token', 'Bearer not.a.jwt'],
      ['a token that is not a JWT at all', 'Bearer garbage'],
      ['another scheme', 'Basic dXNlcjpwYXNz'],
      ['a bare token without the Bearer scheme', 'TOKEN'],
      ['an empty Bearer', 'Bearer '],
    ])('401 for %s', async (_case, authorization) => {
      const user = await createUser(server);
      const header = authorization === 'TOKEN' ? user.token : authorization;
      expectError(await me(undefined, { authorization: header }), 401);
    });

    it('401 for an expired token (valid signature)', async () => {
      const user = await createUser(server);
      const expired = mintToken({ sub: user.id, name: user.name, exp: Math.floor(Date.now() / 1000) - 60 });
      expectError(await me(expired), 401);
      // The same claims, not expired, are accepted: the expiry is what failed.
      expect((await me(mintToken({ sub: user.id, name: user.name, sid: sidOf(user.token) }))).status).toBe(200);
    });

    it('401 for a token signed with another secret (forged)', async () => {
      const user = await createUser(server);
      const forged = mintToken({ sub: user.id, name: user.name }, { secret: `${TEST_JWT_SECRET}-but-not-quite` });
      expectError(await me(forged), 401);
    });

    it('401 for a token whose signature was tampered with, or whose claims were edited', async () => {
      const user = await createUser(server);
      const [header, payload, signature] = user.token.split('.');
      const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
      expectError(await me(`${header}.${payload}.${flipped}`), 401);
      const claims = { ...decodeClaims(user.token), role: 'admin' };
      const edited = Buffer.from(JSON.stringify(claims)).toString('base64url');
      expectError(await me(`${header}.${edited}.${signature}`), 401);
    });

    it('401 for an unsigned ("alg": "none") token', async () => {
      const user = await createUser(server);
      const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
      const exp = Math.floor(Date.now() / 1000) + 600;
      const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: user.id, name: 'x', role: 'user', exp })}.`;
      expectError(await me(unsigned), 401);
    });

    it('401 for a well-signed token of a user that does not exist', async () => {
      expectError(await me(mintToken({ sub: randomUUID(), name: 'Ghost' })), 401);
    });

    it('401 for a well-signed token without the required claims', async () => {
      const user = await createUser(server);
      expectError(await me(mintToken({ sub: user.id, role: 'superuser' })), 401);
    });

    it('does not take the token from the query string (that is for WebSocket upgrades only)', async () => {
      const user = await createUser(server);
      expectError(await http(server.httpUrl, 'GET', `/api/users/me?token=${user.token}`), 401);
    });
  });

  it('never writes a password or a token to the log', async () => {
    const password = `secret-${randomBytes(6).toString('hex')}`;
    const res = await register({ email: uniqueEmail(), password, full_name: 'Careful' });
    expect(res.status).toBe(201);
    await login({ email: res.body.user.email, password });
    await me(res.body.access_token);
    await http(server.httpUrl, 'GET', `/api/users/me?token=${res.body.access_token}`);
    expect(server.logs.length).toBeGreaterThan(0);
    const logs = server.logs.join('\n');
    expect(logs).not.toContain(password);
    expect(logs).not.toContain(res.body.access_token);
    expect(logs).not.toContain(res.body.access_token.split('.')[2]);
    expect(logs).not.toContain(res.body.refresh_token);
  });
});
