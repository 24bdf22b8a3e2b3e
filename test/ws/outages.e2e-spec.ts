import Database from 'better-sqlite3';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import type { TestSocket } from '../support/ws-client';
import { adminNotify, closeAll, createAdmin, errorFrame, openNotifications } from './helpers';

/**
 * A database outage is reported as what it is: 503 on REST and `internal` on a socket,
 * logged with its cause — never 401/`unauthorized` (clients would throw good tokens away)
 * nor `not_found`. The outage is real: on PostgreSQL the suite's database stops accepting
 * connections and its sessions are terminated; SQLite has no server to stop, so the table
 * the request needs is taken away.
 */
describe('outages are not reported as bad tokens or missing things', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  async function admin(sql: string): Promise<void> {
    const url = new URL((server.config.database as { url: string }).url);
    url.pathname = '/postgres';
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  /** Runs `fn` while the database cannot serve `table` (PostgreSQL: cannot serve at all). */
  async function whileDatabaseDown<T>(table: string, fn: () => Promise<T>): Promise<T> {
    if (server.config.database.kind === 'postgres') {
      const name = new URL(server.config.database.url).pathname.slice(1);
      await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
      try {
        return await fn();
      } finally {
        await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      }
    }
    const sql = (statement: string) => server.app.get(DataSource).query(statement);
    await sql(`ALTER TABLE ${table} RENAME TO ${table}_away`);
    try {
      return await fn();
    } finally {
      await sql(`ALTER TABLE ${table}_away RENAME TO ${table}`);
    }
  }

  const errorLogsSince = (from: number) =>
    server.logs
      .slice(from)
      .filter((line) => ['error', 'fatal'].includes((JSON.parse(line) as { level: string }).level));

  let user: TestUser;
  beforeEach(async () => {
    user = await createUser(server);
  });

  it('REST: a valid token while the database is down is 503 (logged with its cause); a bad token is still 401', async () => {
    const from = server.logs.length;
    const [down, bad] = await whileDatabaseDown('users', () =>
      Promise.all([
        http(server.httpUrl, 'GET', '/api/users/me', { token: user.token }),
        http(server.httpUrl, 'GET', '/api/users/me', { token: `${user.token}x` }),
      ]),
    );
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(bad.status).toBe(401);
    const logged = errorLogsSince(from).filter((line) => line.includes('JwtAuthGuard'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/users|connection|accepting/i);
    expect(logged.join('\n')).not.toContain(user.token);
    // And once the database is back, the same token works: nothing was lost by not calling it bad.
    expect((await http(server.httpUrl, 'GET', '/api/users/me', { token: user.token })).status).toBe(200);
  });

  it('REST: a route whose query finds the database not serving is 503 with Retry-After, not 500', async () => {
    const register = () =>
      http(server.httpUrl, 'POST', '/api/auth/register', {
        body: { email: `outage-${Date.now()}@example.com`, password: 'password123', full_name: 'Outage' },
      });
    const from = server.logs.length;
    let answer: Awaited<ReturnType<typeof register>>;
    if (server.config.database.kind === 'postgres') {
      answer = await whileDatabaseDown('users', register);
    } else {
      // SQLite has no server to stop: another writer holding the file is its outage (SQLITE_BUSY
      // once the busy timeout has passed).
      const holder = new Database(server.config.database.path);
      holder.exec('BEGIN EXCLUSIVE');
      try {
        answer = await register();
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
      }
    }
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(errorLogsSince(from).filter((line) => line.includes('HttpExceptionFilter'))).toHaveLength(1);
    expect((await register()).status).toBe(201);
  });

  describe('on a notifications socket', () => {
    let socket: TestSocket;
    beforeEach(async () => {
      ({ socket } = await openNotifications(server, user));
    });
    afterEach(() => closeAll(socket));

    it('mark_read while the database is down is `internal`, logged once with its cause; a real unknown id is still `not_found`', async () => {
      const notification = await adminNotify(server, await createAdmin(server), user.id);
      await socket.next('notification');
      await socket.next('unread_count');
      const from = server.logs.length;
      await whileDatabaseDown('notifications', async () => {
        socket.send({ type: 'mark_read', notification_id: notification.id });
        expect(await socket.next()).toEqual(errorFrame('internal'));
      });
      const logged = errorLogsSince(from).filter((line) => line.includes('WsExceptionFilter'));
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(/notifications|connection|accepting/i);

      socket.send({ type: 'mark_read', notification_id: '00000000-0000-4000-8000-000000000000' });
      expect(await socket.next()).toEqual(errorFrame('not_found'));
      socket.send({ type: 'mark_read', notification_id: notification.id });
      expect(await socket.next()).toEqual({ type: 'unread_count', count: 0 });
    });

    it('an in-band auth while the database is down is `internal` and the socket keeps its token; a bad token is `unauthorized`', async () => {
      const fresh = (await http(server.httpUrl, 'POST', '/api/auth/login', {
        body: { email: user.email, password: user.password },
      })) as { body: { access_token: string } };
      await whileDatabaseDown('users', async () => {
        socket.send({ type: 'auth', token: fresh.body.access_token });
        expect(await socket.next()).toEqual(errorFrame('internal'));
      });
      socket.send({ type: 'auth', token: `${fresh.body.access_token}x` });
      expect(await socket.next()).toEqual(errorFrame('unauthorized'));
      socket.send({ type: 'auth', token: fresh.body.access_token });
      expect(await socket.next()).toEqual({ type: 'auth_ok', expires_at: expect.any(String) });
    });
  });
});
