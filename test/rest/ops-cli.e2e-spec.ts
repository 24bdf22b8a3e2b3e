import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { createRootLogger } from '@numerai/logging';
import { DEMO_USERS, runCli, type DemoSet } from '../../apps/api/src/cli/commands';
import { http } from '../support/http';
import { ENGINE, expectConsultation, expectUser, noteSkippedPostgres, TEST_JWT_SECRET } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';

noteSkippedPostgres('ops CLI');

/**
 * The ops CLI against the database of a running test server: what it creates must be usable
 * through the REST API straight away, with the tokens it prints.
 */
describe(`ops CLI (${ENGINE})`, () => {
  let server: TestServer;
  // A sink of our own: the default destination would hold stdout open after the suite.
  const silent = createRootLogger('silent', new Writable({ write: (_chunk, _encoding, done) => done() }));

  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, server.config, silent, {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('demo: a client, a numerologist and an active consultation, with working tokens and passwords', async () => {
    const run = await cli('demo', '--json');
    expect(run).toMatchObject({ code: 0, err: '' });
    const demo = JSON.parse(run.out) as DemoSet;

    const consultation = await http(server.httpUrl, 'GET', `/api/consultations/${demo.consultation.id}`, {
      token: demo.client.access_token,
    });
    expect(consultation.status).toBe(200);
    expectConsultation(consultation.body, {
      id: demo.consultation.id,
      user_id: demo.client.id,
      numerologist_id: demo.numerologist.id,
      status: 'active',
      unread_count: expect.any(Number),
    });
    const asNumerologist = await http(server.httpUrl, 'GET', '/api/users/me', {
      token: demo.numerologist.access_token,
    });
    expectUser(asNumerologist.body, { id: demo.numerologist.id, role: 'numerologist' });

    for (const account of [demo.client, demo.numerologist]) {
      const login = await http(server.httpUrl, 'POST', '/api/auth/login', {
        body: { email: account.email, password: account.password },
      });
      expect(login.status).toBe(200);
      expect(login.body.user.id).toBe(account.id);
    }
  });

  it('demo is idempotent: a second run reuses the users and the active consultation', async () => {
    const first = JSON.parse((await cli('demo', '--json')).out) as DemoSet;
    const second = JSON.parse((await cli('demo', '--json')).out) as DemoSet;
    expect(second.client).toMatchObject({ id: first.client.id, created: false });
    expect(second.numerologist).toMatchObject({ id: first.numerologist.id, created: false });
    expect(second.consultation).toEqual({ id: first.consultation.id, status: 'active', created: false });
    const active = await http(server.httpUrl, 'GET', '/api/consultations?status=active', {
      token: second.client.access_token,
    });
    expect(active.body.items.map((c: { id: string }) => c.id)).toEqual([second.consultation.id]);
  });

  it('demo starts a new active consultation once the previous one has ended, booked and started as through the API', async () => {
    const first = JSON.parse((await cli('demo', '--json')).out) as DemoSet;
    const ended = await http(server.httpUrl, 'PATCH', `/api/consultations/${first.consultation.id}`, {
      token: first.numerologist.access_token,
      body: { status: 'completed' },
    });
    expect(ended.status).toBe(200);
    const next = JSON.parse((await cli('demo', '--json')).out) as DemoSet;
    expect(next.consultation).toMatchObject({ status: 'active', created: true });
    expect(next.consultation.id).not.toBe(first.consultation.id);
    // The CLI has exited: the lifecycle steps' system messages are already stored, newest first.
    const history = await http(server.httpUrl, 'GET', `/api/consultations/${next.consultation.id}/messages`, {
      token: next.client.access_token,
    });
    expect(history.status).toBe(200);
    expect(history.body.items).toEqual([
      expect.objectContaining({
        message_type: 'system',
        event: 'consultation_started',
        sender_id: next.numerologist.id,
        content: 'Demo Numerologist started the consultation',
      }),
      expect.objectContaining({
        message_type: 'system',
        event: 'consultation_booked',
        sender_id: next.client.id,
        content: 'Demo Client booked this consultation',
      }),
    ]);
  });

  it('demo prints ready-to-paste wscat lines for the chat of the consultation', async () => {
    const run = await cli('demo');
    expect(run.code).toBe(0);
    const demo = JSON.parse((await cli('demo', '--json')).out) as DemoSet;
    const chatUrl = `ws://localhost:${server.config.port}/ws/chat/${demo.consultation.id}/?token=`;
    // -y: npx must not stop to ask before installing wscat; -x/-w and an open stdin: usable from a script.
    expect(run.out).toContain(`npx -y wscat -c "${chatUrl}`);
    expect(run.out).toMatch(
      /sleep 5 \| npx -y wscat -c "ws:\S+" -x '\{"type":"chat_message","message":"Hello"\}' -w 2/,
    );
    expect(run.out).toContain(DEMO_USERS.client.email);
    expect(run.out).toContain(DEMO_USERS.numerologist.password);
    expect(run.out).toContain(demo.consultation.id);
  });

  it('create-admin: an admin that can log in; registration rules apply; a taken email fails', async () => {
    const created = await cli(
      'create-admin',
      '--email',
      'Root@Example.com',
      '--password',
      'admin password',
      '--name',
      'Root',
    );
    expect(created.code).toBe(0);
    expect(created.out).toContain('root@example.com');
    const login = await http(server.httpUrl, 'POST', '/api/auth/login', {
      body: { email: 'root@example.com', password: 'admin password' },
    });
    expect(login.status).toBe(200);
    expectUser(login.body.user, { email: 'root@example.com', full_name: 'Root', role: 'admin' });

    const again = await cli(
      'create-admin',
      '--email',
      'root@EXAMPLE.com',
      '--password',
      'admin password',
      '--name',
      'x',
    );
    expect(again).toMatchObject({ code: 1, out: '' });
    expect(again.err).toContain('already registered');

    const short = await cli('create-admin', '--email', 'short@example.com', '--password', 'short', '--name', 'Short');
    expect(short.code).toBe(2);
    expect(short.err).toContain('password');
    const badEmail = await cli('create-admin', '--email', 'nope', '--password', 'long enough', '--name', 'Nope');
    expect(badEmail.code).toBe(2);
    expect(badEmail.err).toContain('email');
    const missing = await cli('create-admin', '--email', 'missing@example.com');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--password');
  });

  it('migrate: the server already migrated this database, so there is nothing to do', async () => {
    expect(await cli('migrate')).toEqual({ code: 0, out: `Database (${ENGINE}) is up to date.`, err: '' });
  });

  it('help, unknown commands and unknown options', async () => {
    expect(await cli('help')).toMatchObject({ code: 0, out: expect.stringContaining('create-admin') });
    expect(await cli('frobnicate')).toMatchObject({ code: 2, err: expect.stringContaining('unknown command') });
    expect(await cli('demo', '--force')).toMatchObject({ code: 2, err: expect.stringContaining('--force') });
  });

  const built = join(__dirname, '../../dist/apps/api/src/cli.js');
  // The compiled entry point as `npm run cli` runs it; present after `npm run build` (CI builds before testing).
  (existsSync(built) ? it : it.skip)(
    'the built CLI (node dist/apps/api/src/cli.js demo --json) works end to end',
    async () => {
      const { stdout } = await promisify(execFile)(process.execPath, [built, 'demo', '--json'], {
        env: {
          ...process.env,
          ...server.database.env,
          DATA_DIR: server.config.dataDir,
          JWT_SECRET: TEST_JWT_SECRET,
          LOG_LEVEL: 'warn',
        },
        timeout: 20_000,
      });
      const demo = JSON.parse(stdout) as DemoSet;
      const res = await http(server.httpUrl, 'GET', `/api/consultations/${demo.consultation.id}`, {
        token: demo.numerologist.access_token,
      });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('active');
    },
  );
});
