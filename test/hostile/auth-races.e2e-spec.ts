import 'reflect-metadata';
import { SEQ_MAX } from '@numerai/common';
import { testClient } from '@numerai/testing';
import { createConsultation, createUser, TestUser } from '../support/factories';
import { http, HttpResult } from '../support/http';
import { ENGINE } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { closeAll, createAdmin, expectRefused, notificationsUrl } from '../ws/helpers';
import { expectSessionEnded, meStatus, newSession } from '../ws/session-helpers';
import { FULL_TIER, ReliabilityRecorder } from './support/recorder';

/**
 * Issue 23, "Sessions and input": logins racing a password change or an admin block (a
 * session started with credentials no longer current must not live), two refreshes of one
 * token at once (neither is a theft), stream positions past the 32-bit `seq` columns, and
 * bodies nested to the body-wide limit under fields that take two levels.
 */
const recorder = new ReliabilityRecorder('auth-races');
const AREA = 'Sessions and input';
/** Short, so the "after the grace" replay is a real wait on the database's clock, not a doctored row. */
const GRACE_MS = 400;
const ROUNDS = FULL_TIER ? 6 : 3;
/** Logins in flight before the change starts, and the most one round fires. */
const LOGINS_AHEAD = 4;
const MAX_LOGINS_PER_ROUND = FULL_TIER ? 40 : 20;

describe(`hostile: sessions and input (${ENGINE})`, () => {
  let server: TestServer;
  let admin: TestUser;
  const post = (path: string, token: string | undefined, body?: unknown) =>
    http(server.httpUrl, 'POST', path, { token, body });
  const login = (user: TestUser, password = user.password) =>
    post('/api/auth/login', undefined, { email: user.email, password });
  const refresh = (refreshToken: string) => post('/api/auth/refresh', undefined, { refresh_token: refreshToken });

  beforeAll(async () => {
    server = await startTestServer({
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      RATE_LIMIT_PER_MINUTE: '100000',
      REFRESH_TOKEN_REUSE_GRACE_MS: String(GRACE_MS),
    });
    admin = await createAdmin(server);
  });
  afterAll(async () => {
    recorder.write();
    await server?.close();
  });

  /**
   * Every session one of `answers` started must be dead: its access token 401 on REST, its
   * refresh token refused, a connect with it refused with 4401. Returns how many lived.
   */
  async function survivors(answers: HttpResult[]): Promise<number> {
    let alive = 0;
    for (const res of answers.filter((answer) => answer.status === 200)) {
      const me = await meStatus(server, res.body.access_token);
      const refreshed = await refresh(res.body.refresh_token);
      if (me === 200 || refreshed.status === 200) alive++;
      else await expectRefused(notificationsUrl(server), { token: res.body.access_token }, 4401, 'unauthorized');
    }
    return alive;
  }

  /**
   * Logins with `user`'s current password fired a few milliseconds apart from before
   * `change` starts until it is done, round after round: some verify the password (argon2,
   * tens of ms) before the change lands and store their session after it.
   */
  async function race(user: TestUser, change: (round: number) => Promise<void>): Promise<HttpResult[]> {
    const answers: HttpResult[] = [];
    const pace = () => new Promise((resolve) => setTimeout(resolve, 3));
    for (let round = 0; round < ROUNDS; round++) {
      const logins: Promise<HttpResult>[] = [];
      for (let i = 0; i < LOGINS_AHEAD; i++) {
        logins.push(login(user));
        await pace();
      }
      let done = false;
      const changed = change(round).finally(() => (done = true));
      while (!done && logins.length < MAX_LOGINS_PER_ROUND) {
        logins.push(login(user));
        await pace();
      }
      await changed;
      answers.push(...(await Promise.all(logins)));
    }
    return answers;
  }

  it('logins racing a password change: no session started with the old password lives', async () => {
    const user = await createUser(server);
    const keeper = await newSession(server, user);
    const answers = await race(user, async (round) => {
      const next = `changed passphrase ${round}`;
      const res = await post('/api/auth/password', keeper.token, {
        current_password: user.password,
        new_password: next,
      });
      expect(res.status).toBe(204);
      // The logins of the next round use the password now current; they race the next change.
      user.password = next;
    });
    const ok = answers.filter((res) => res.status === 200).length;
    const alive = await survivors(answers);
    recorder.record({
      area: AREA,
      attack: 'logins racing a password change',
      tried: answers.length,
      expected: 'no session started with the old password lives (REST 401, refresh refused, connect 4401)',
      seen: `${alive} of ${ok} logins answered 200 kept a live session; ${answers.length - ok} answered 401`,
      ok: alive === 0,
    });
    expect(alive).toBe(0);
    expect(answers.every((res) => res.status === 200 || res.status === 401)).toBe(true);
    // The changer's own session lives on, and the new password works.
    expect(await meStatus(server, keeper.token)).toBe(200);
    expect((await login(user)).status).toBe(200);
  });

  it('logins racing an admin block: none of them lives, not even after the unblock', async () => {
    const user = await createUser(server);
    const answers = await race(user, async () => {
      expect((await post(`/api/admin/users/${user.id}/block`, admin.token)).status).toBe(204);
      expect((await post(`/api/admin/users/${user.id}/unblock`, admin.token)).status).toBe(204);
      expect((await post(`/api/admin/users/${user.id}/block`, admin.token)).status).toBe(204);
    });
    // Unblocked, a session started for the blocked account would come back to life: it must not.
    expect((await post(`/api/admin/users/${user.id}/unblock`, admin.token)).status).toBe(204);
    const before = answers.filter((res) => res.status === 200).length;
    const alive = await survivors(answers);
    recorder.record({
      area: AREA,
      attack: 'logins racing an admin block (then unblock)',
      tried: answers.length,
      expected: 'no session started around the block lives after it, unblocked or not',
      seen: `${alive} of ${before} logins answered 200 kept a live session; the rest answered 403`,
      ok: alive === 0,
    });
    expect(alive).toBe(0);
    expect(answers.every((res) => [200, 401, 403].includes(res.status))).toBe(true);
  });

  it('two refreshes of one token at once both get the same successor; a replay after the grace still ends the session', async () => {
    const pairs = FULL_TIER ? 20 : 8;
    let same = 0;
    let revoked = 0;
    for (let i = 0; i < pairs; i++) {
      const user = await createUser(server);
      const [first, second] = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
      if (first.status === 200 && second.status === 200 && first.body.refresh_token === second.body.refresh_token) {
        if ((await meStatus(server, second.body.access_token)) === 200) same++;
      }
      if (i === 0) {
        const { socket } = await testClient(server).notifications({ ...user, token: first.body.access_token });
        // The grace is measured by the database's clock; this waits it out (plus the clocks' rounding).
        await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 100));
        const replay = await refresh(user.refreshToken);
        if (replay.status === 401 && (await meStatus(server, first.body.access_token)) === 401) revoked++;
        await expectSessionEnded(socket);
        await closeAll(socket);
      }
    }
    recorder.record({
      area: AREA,
      attack: 'two refreshes of one token at once',
      tried: pairs,
      expected: `both 200 with the same successor; a replay after REFRESH_TOKEN_REUSE_GRACE_MS (${GRACE_MS} ms) ends the session`,
      seen: `${same} of ${pairs} pairs got one successor and kept the session; the late replay ${revoked ? 'ended' : 'did not end'} it`,
      ok: same === pairs && revoked === 1,
    });
    expect(same).toBe(pairs);
    expect(revoked).toBe(1);
  });

  it(`stream positions past ${SEQ_MAX} (the seq columns' range) answer 400 / validation_failed, never 500`, async () => {
    const { consultation, client } = await createConsultation(server);
    const positions = [String(SEQ_MAX + 1), '4294967296', '999999999999999'];
    const rest: number[] = [];
    for (const value of positions) {
      for (const path of [
        `/api/consultations/${consultation.id}/messages?after_seq=${value}`,
        `/api/consultations/${consultation.id}/messages?before_seq=${value}`,
        `/api/notifications?after_seq=${value}`,
      ]) {
        const res = await http(server.httpUrl, 'GET', path, { token: client.token });
        rest.push(res.status);
        if (res.status === 400) expect(JSON.stringify(res.body.message)).toMatch(/_seq must be/);
      }
    }
    const ws: string[] = [];
    for (const value of positions) {
      for (const open of [
        () => testClient(server).chat(client, consultation.id, { query: { last_seq: value } }),
        () => testClient(server).notifications(client, { query: { last_seq: value } }),
      ]) {
        const { socket } = await open();
        let frame = await socket.next();
        if (frame.type === 'unread_count') frame = await socket.next();
        ws.push(frame.type === 'error' ? String((frame as { code: string }).code) : frame.type);
        await closeAll(socket);
      }
    }
    // The largest position in range is an ordinary one.
    const inRange = await http(server.httpUrl, 'GET', `/api/notifications?after_seq=${SEQ_MAX}`, {
      token: client.token,
    });
    recorder.record({
      area: AREA,
      attack: `after_seq / before_seq / ?last_seq= of ${SEQ_MAX + 1} and beyond`,
      tried: rest.length + ws.length,
      expected: 'REST 400 naming the parameter, WebSocket validation_failed; never 500',
      seen: `REST ${[...new Set(rest)].join('/')}, WebSocket ${[...new Set(ws)].join('/')}; ${SEQ_MAX} itself ${inRange.status}`,
      ok: rest.every((status) => status === 400) && ws.every((code) => code === 'validation_failed'),
    });
    expect(rest.every((status) => status === 400)).toBe(true);
    expect(ws.every((code) => code === 'validation_failed')).toBe(true);
    expect(inRange.status).toBe(200);
  });

  it('64 KB bodies nested 32 deep under fields that take two levels are refused before validation walks them', async () => {
    const user = await createUser(server);
    const bodies = [
      { path: '/api/notifications/preferences', method: 'PUT' as const, field: 'types' },
      { path: '/api/push/subscriptions', method: 'POST' as const, field: 'keys' },
    ];
    const requests = FULL_TIER ? 50 : 10;
    const seen: string[] = [];
    let refused = 0;
    const started = process.cpuUsage();
    for (let i = 0; i < requests; i++) {
      for (const { path, method, field } of bodies) {
        const body = { endpoint: 'https://push.example.test/x', [field]: wideTree(31, 60 * 1024) };
        if (method === 'PUT') delete (body as Record<string, unknown>).endpoint;
        const res = await http(server.httpUrl, method, path, { token: user.token, body });
        const message = JSON.stringify(res.body?.message);
        if (res.status === 400 && message.includes(`${field} must not nest deeper than`)) refused++;
        else seen.push(`${res.status} ${message}`);
      }
    }
    const used = process.cpuUsage(started);
    // The whole process's CPU (the test client's JSON.stringify included): an upper bound of the server's share.
    const cpuMsPerRequest = (used.user + used.system) / 1000 / (requests * bodies.length);
    recorder.note('nested_body_cpu_ms_per_request', Number(cpuMsPerRequest.toFixed(2)));
    recorder.record({
      area: AREA,
      attack: '64 KB bodies nested 32 deep under `types` (preferences) and `keys` (push)',
      tried: requests * bodies.length,
      expected: '400 "<field> must not nest deeper than N levels" before class-transformer walks them',
      seen: `${refused} refused that way${seen.length ? `; other answers: ${seen.slice(0, 2).join(', ')}` : ''}; ${cpuMsPerRequest.toFixed(1)} ms of CPU per request (client included)`,
      ok: refused === requests * bodies.length,
    });
    expect(seen).toEqual([]);
  });
});

/** Nested objects `depth` deep, each level padded with sibling scalars to about `bytes` in all. */
function wideTree(depth: number, bytes: number): unknown {
  const perLevel = Math.max(1, Math.floor(bytes / depth / 12));
  let node: Record<string, unknown> = { leaf: true };
  for (let level = 0; level < depth - 1; level++) {
    const parent: Record<string, unknown> = { child: node };
    for (let i = 0; i < perLevel; i++) parent[`k${level}_${i}`] = i;
    node = parent;
  }
  return node;
}
