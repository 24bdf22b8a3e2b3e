import { randomBytes } from 'node:crypto';
import type { TestUser } from '../support/factories';
import { http, HttpResult } from '../support/http';
import { ENGINE, expectError, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';

noteSkippedPostgres('rest: rate limits');

const PER_USER = 5;
const AUTH_ATTEMPTS = 3;
const PASSWORD = 'correct horse battery';

/** A 429 as rest.md describes it: the error shape plus a whole number of seconds in Retry-After. */
function expectRateLimited(res: HttpResult): void {
  expectError(res, 429);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

/**
 * Both budgets on one server with small limits. Requests from the loopback carry
 * X-Forwarded-For (the app trusts a loopback proxy), so each test acts from an IP of its own
 * and the budgets of one test never leak into another.
 */
describe(`REST rate limits (${ENGINE})`, () => {
  let server: TestServer;
  let nextIp = 1;
  const freshIp = () => `203.0.113.${nextIp++}`;

  const register = (ip: string, email: string, role: TestUser['role'] = 'user') =>
    http(server.httpUrl, 'POST', '/api/auth/register', {
      headers: { 'x-forwarded-for': ip },
      body: { email, password: PASSWORD, full_name: 'Rate Limited', role },
    });
  const login = (ip: string, email: string, password = PASSWORD) =>
    http(server.httpUrl, 'POST', '/api/auth/login', { headers: { 'x-forwarded-for': ip }, body: { email, password } });
  const me = (user: TestUser, ip = '198.51.100.1') =>
    http(server.httpUrl, 'GET', '/api/users/me', { token: user.token, headers: { 'x-forwarded-for': ip } });

  /** A user registered from an IP nobody else uses, so creating it spends no test's budget. */
  const newUser = async (role: TestUser['role'] = 'user'): Promise<TestUser> => {
    const email = `rl-${randomBytes(5).toString('hex')}@example.com`;
    const res = await register(freshIp(), email, role);
    expect(res.status).toBe(201);
    return {
      id: res.body.user.id,
      email,
      password: PASSWORD,
      name: 'Rate Limited',
      role,
      token: res.body.access_token,
      refreshToken: res.body.refresh_token,
    };
  };
  const email = () => `rl-${randomBytes(5).toString('hex')}@example.com`;

  beforeAll(async () => {
    server = await startTestServer({
      RATE_LIMIT_PER_MINUTE: String(PER_USER),
      AUTH_RATE_LIMIT_PER_MINUTE: String(AUTH_ATTEMPTS),
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  describe(`login and register: ${AUTH_ATTEMPTS} attempts per minute per IP`, () => {
    it('429 with Retry-After once the attempts are spent, failed ones included', async () => {
      const ip = freshIp();
      const user = await newUser();
      expect((await login(ip, user.email, 'wrong password')).status).toBe(401);
      expect((await login(ip, 'nobody@example.com')).status).toBe(401);
      expect((await login(ip, user.email)).status).toBe(200);
      const blocked = await login(ip, user.email);
      expectRateLimited(blocked);
      expect(blocked.body.message).toBe(`Too many login attempts; retry after ${blocked.headers.get('retry-after')} s`);
    });

    it('refresh is not a login attempt: refreshing does not spend the login budget', async () => {
      const ip = freshIp();
      const user = await newUser();
      let refreshToken = user.refreshToken;
      for (let i = 0; i < AUTH_ATTEMPTS + 1; i++) {
        const res = await http(server.httpUrl, 'POST', '/api/auth/refresh', {
          headers: { 'x-forwarded-for': ip },
          body: { refresh_token: refreshToken },
        });
        expect(res.status).toBe(200);
        refreshToken = res.body.refresh_token;
      }
      expect((await login(ip, user.email)).status).toBe(200);
    });

    it('register and login share the one budget', async () => {
      const ip = freshIp();
      const first = email();
      expect((await register(ip, first)).status).toBe(201);
      expect((await register(ip, email())).status).toBe(201);
      expect((await login(ip, first)).status).toBe(200);
      expectRateLimited(await register(ip, email()));
      expectRateLimited(await login(ip, first));
    });

    it('another IP still has its own attempts', async () => {
      const blockedIp = freshIp();
      for (let i = 0; i < AUTH_ATTEMPTS; i++) await login(blockedIp, 'nobody@example.com');
      expectRateLimited(await login(blockedIp, 'nobody@example.com'));
      expect((await login(freshIp(), 'nobody@example.com')).status).toBe(401);
    });

    it('authenticated routes do not spend the login budget', async () => {
      const ip = freshIp();
      const user = await newUser();
      for (let i = 0; i < AUTH_ATTEMPTS + 1; i++) {
        expect((await http(server.httpUrl, 'GET', '/health', { headers: { 'x-forwarded-for': ip } })).status).toBe(200);
      }
      expect((await me(user, ip)).status).toBe(200);
      expect((await login(ip, user.email)).status).toBe(200);
    });
  });

  describe(`everything else: ${PER_USER} requests per minute per user`, () => {
    it('429 with Retry-After after the limit', async () => {
      const user = await newUser();
      for (let i = 0; i < PER_USER; i++) expect((await me(user)).status).toBe(200);
      const limited = await me(user);
      expectRateLimited(limited);
      expect(limited.body.message).toMatch(/^Too many requests; retry after \d+ s$/);
    });

    it('the budget is per user, not per IP: two users behind one IP have one each', async () => {
      const ip = freshIp();
      const alice = await newUser();
      const bob = await newUser();
      for (let i = 0; i < PER_USER; i++) expect((await me(alice, ip)).status).toBe(200);
      expectRateLimited(await me(alice, ip));
      for (let i = 0; i < PER_USER; i++) expect((await me(bob, ip)).status).toBe(200);
      expectRateLimited(await me(bob, ip));
    });

    it('the budget follows the user across IPs and across routes', async () => {
      const user = await newUser();
      const numerologist = await newUser('numerologist');
      const from = () => ({ token: user.token, headers: { 'x-forwarded-for': freshIp() } });
      expect((await me(user, freshIp())).status).toBe(200);
      expect((await http(server.httpUrl, 'GET', '/api/consultations', from())).status).toBe(200);
      const created = await http(server.httpUrl, 'POST', '/api/consultations', {
        ...from(),
        body: { numerologist_id: numerologist.id },
      });
      expect(created.status).toBe(201);
      expect((await http(server.httpUrl, 'GET', `/api/consultations/${created.body.id}`, from())).status).toBe(200);
      expect((await me(user, freshIp())).status).toBe(200);
      expectRateLimited(await http(server.httpUrl, 'GET', '/api/consultations', from()));
      // The numerologist's budget is untouched by the client's requests.
      expect((await me(numerologist, freshIp())).status).toBe(200);
    });

    it('/health is never rate limited (load balancers poll it)', async () => {
      const ip = freshIp();
      for (let i = 0; i < PER_USER * 3; i++) {
        const res = await http(server.httpUrl, 'GET', '/health', { headers: { 'x-forwarded-for': ip } });
        expect(res.status).toBe(200);
      }
    });
  });
});
