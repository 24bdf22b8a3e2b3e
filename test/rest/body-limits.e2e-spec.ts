import { randomUUID } from 'node:crypto';
import { createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { expectError } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { createAdmin } from '../ws/helpers';

/** Sends a raw JSON text (the http helper would have to build it as an object first, which is the point). */
async function postRaw(server: TestServer, path: string, text: string, token?: string) {
  const response = await fetch(`${server.httpUrl}${path}`, {
    method: 'POST',
    headers: {
      connection: 'close',
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: text,
  });
  const body = await response.text();
  return { status: response.status, body: JSON.parse(body) as unknown, headers: response.headers };
}

const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

/**
 * Issue 17, "Limits": request bodies are bounded by size (64 KB, 1 MB only for the admin
 * broadcast) and by nesting (32) before anything parses or transforms them; a
 * notification's `data` is bounded in size and depth.
 */
describe('REST request bodies: size and nesting limits', () => {
  let server: TestServer;
  let admin: TestUser;
  let client: TestUser;

  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '100000' });
    admin = await createAdmin(server);
    client = await createUser(server);
  });
  afterAll(() => server?.close());

  it('800 KB of nested JSON: 413 where 64 KB is the limit, 400 naming the nesting on the 1 MB broadcast route; 60 KB of it 400 everywhere', async () => {
    const huge = nested(400_000);
    const large = nested(30_000);
    expectError(await postRaw(server, '/api/auth/login', huge), 413);
    expectError(await postRaw(server, '/api/admin/notifications/broadcast', huge, admin.token), 400, /nest/);
    expectError(await postRaw(server, '/api/auth/login', large), 400, /nest/);
    expectError(await postRaw(server, '/api/consultations', large, client.token), 400, /nest/);
    expect((await http(server.httpUrl, 'GET', '/health')).status).toBe(200);
  });

  it('nesting up to 32 levels parses (and is then judged by the DTO); 33 is refused before that', async () => {
    const numerologist = await createUser(server, { role: 'numerologist' });
    const body = (depth: number) => `{"numerologist_id":"${numerologist.id}","extra":${nested(depth - 1)}}`;
    expectError(await postRaw(server, '/api/consultations', body(32), client.token), 400, 'extra');
    expectError(await postRaw(server, '/api/consultations', body(33), client.token), 400, /nest/);
    // Brackets inside strings are text, not nesting.
    expectError(
      await postRaw(server, '/api/consultations', `{"numerologist_id":"${'['.repeat(1000)}"}`, client.token),
      400,
      'numerologist_id',
    );
  });

  it('a body over 64 KB is 413 on every route but the broadcast, which takes up to 1 MB', async () => {
    const padding = 'x'.repeat(70 * 1024);
    expectError(
      await postRaw(
        server,
        '/api/consultations',
        JSON.stringify({ numerologist_id: randomUUID(), padding }),
        client.token,
      ),
      413,
    );
    expectError(await postRaw(server, '/api/auth/login', JSON.stringify({ email: padding, password: 'x' })), 413);

    // 10,000 user ids (~400 KB): the largest broadcast there is, still accepted.
    const ids = [client.id, ...Array.from({ length: 9_999 }, () => randomUUID())];
    const broadcast = await http(server.httpUrl, 'POST', '/api/admin/notifications/broadcast', {
      token: admin.token,
      body: { user_ids: ids, title: 'Hello', message: 'Everyone', notification_type: 'announcement' },
    });
    expect(broadcast.status).toBe(201);
    expect(broadcast.body).toEqual({ count: 1 });
    const tooBig = JSON.stringify({ user_ids: [client.id], title: 'x', message: 'y'.repeat(1100 * 1024) });
    expectError(await postRaw(server, '/api/admin/notifications/broadcast', tooBig, admin.token), 413);
  });

  it('a notification’s data is bounded: more than 4 KB or nested deeper than 8 is a 400 naming data', async () => {
    const send = (data: unknown) =>
      http(server.httpUrl, 'POST', '/api/admin/notifications', {
        token: admin.token,
        body: { user_id: client.id, title: 't', message: 'm', notification_type: 'x', data },
      });
    expect((await send({ link: '/readings/1', deep: { a: { b: { c: { d: { e: { f: 1 } } } } } } })).status).toBe(201);
    expectError(await send({ blob: 'x'.repeat(5000) }), 400, 'data');
    expectError(await send({ a: JSON.parse(nested(9, '{}')) }), 400, 'data');
  });
});

/**
 * Issue 23: what a route does not declare is refused on every route, those that take no body
 * or query DTO included, and a missing required field says it is required.
 */
describe('REST input a route does not declare', () => {
  let server: TestServer;
  let user: TestUser;

  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '100000' });
    user = await createUser(server);
  });
  afterAll(() => server?.close());

  it('a body field on a route without a body is a 400 naming it; the route still works without', async () => {
    for (const path of ['/api/notifications/read-all', '/api/auth/logout-all']) {
      expectError(
        await http(server.httpUrl, 'POST', path, { token: user.token, body: { everything: true } }),
        400,
        'property everything should not exist',
      );
    }
    expect((await http(server.httpUrl, 'POST', '/api/notifications/read-all', { token: user.token })).status).toBe(200);
  });

  it('a query parameter on a route without a query is a 400 naming it', async () => {
    expectError(
      await http(server.httpUrl, 'GET', '/api/users/me?fields=all', { token: user.token }),
      400,
      'property fields should not exist',
    );
    expectError(
      await http(server.httpUrl, 'GET', '/api/notifications/unread-count?x=1', { token: user.token }),
      400,
      'property x should not exist',
    );
  });

  it('DELETE /api/users/me without a body says the password is required (nothing is erased)', async () => {
    const res = await http(server.httpUrl, 'DELETE', '/api/users/me', { token: user.token });
    expectError(res, 400, 'password is required');
    expect(res.body.message).toEqual(['password is required']);
    expect((await http(server.httpUrl, 'GET', '/api/users/me', { token: user.token })).status).toBe(200);
  });
});

describe('REST request bodies: HTTP_BODY_LIMIT_BYTES and HTTP_MAX_JSON_DEPTH are configurable', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ HTTP_BODY_LIMIT_BYTES: '2048', HTTP_MAX_JSON_DEPTH: '4' });
  });
  afterAll(() => server?.close());

  it('2 KB and 4 levels', async () => {
    expectError(await postRaw(server, '/api/auth/login', JSON.stringify({ email: 'x'.repeat(3000) })), 413);
    expectError(await postRaw(server, '/api/auth/login', `{"email":${nested(4)}}`), 400, /nest.*4/);
    expectError(await postRaw(server, '/api/auth/login', `{"email":${nested(3)}}`), 400, 'email');
  });
});
