import WebSocket from 'ws';
import { ConnectionRegistry } from '@numerai/realtime';
import { createConsultation, createUser } from '../support/factories';
import { http } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { chatUrl, notificationsUrl, presenceUrl } from '../ws/helpers';
import {
  attemptUpgrade,
  fmtMb,
  halfOpenUpgrade,
  MB,
  memoryAfterGc,
  percentile,
  pool,
  settles,
  UpgradeOutcome,
} from './support/harness';
import { FULL_TIER, ReliabilityRecorder } from './support/recorder';

/**
 * Issue 8, "Floods": bursts of unauthenticated upgrades and of one user's connections are
 * refused quickly and leave memory where it was; the per-IP upgrade limit answers HTTP 429
 * before any upgrade; the 20-connection cap and the shared rate limit hold exactly under
 * concurrency; the Origin allow-list applies to browsers and not to other clients.
 */
const recorder = new ReliabilityRecorder('floods');
const UNAUTHENTICATED = FULL_TIER ? 5_000 : 1_000;
const SAME_USER = FULL_TIER ? 1_000 : 200;

function tally(outcomes: UpgradeOutcome[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of outcomes) {
    const first = o.frames[0];
    const key =
      o.httpStatus !== undefined
        ? `HTTP ${o.httpStatus}`
        : `${first?.type === 'error' ? first.code : (first?.type ?? 'no frame')} + close ${o.closeCode ?? o.error}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** An upgrade sent with `origin` (none: not a browser): accepted, forbidden (+ 4403), or what happened instead. */
async function upgradeFromOrigin(url: string, origin: string | undefined): Promise<string> {
  const outcome = await attemptUpgrade(url, { headers: origin ? { origin } : {} });
  const first = outcome.frames[0];
  if (first?.type === 'connection_established') return 'accepted';
  if (first?.type === 'error' && first.code === 'forbidden' && outcome.closeCode === 4403) return 'forbidden';
  return JSON.stringify(outcome);
}

/** TCP connections the server holds right now (HTTP and WebSocket). */
function socketsOpen(server: TestServer): Promise<number> {
  return new Promise<number>((resolve) =>
    server.app.getHttpServer().getConnections((_e: unknown, n: number) => resolve(n)),
  );
}

/** Heap and buffers grown since `before` (after GC). */
function growthSince(before: ReturnType<typeof memoryAfterGc>): {
  after: ReturnType<typeof memoryAfterGc>;
  growth: number;
} {
  const after = memoryAfterGc();
  return { after, growth: after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers) };
}

/**
 * Waits (up to `timeoutMs`, one GC per look) for the memory to come back within `limit` of
 * `before`; returns the last look. Refused and closed sockets are let go when their close
 * handshake ends, or at the latest when the server cuts them 5 s after it began.
 */
async function memoryBack(before: ReturnType<typeof memoryAfterGc>, limit: number, timeoutMs = 15_000) {
  let last = growthSince(before);
  await settles('heap and buffers back', () => (last = growthSince(before)).growth < limit, timeoutMs, 500);
  return last;
}

describe('hostile: floods', () => {
  afterAll(() => recorder.write());

  describe('with the per-IP upgrade limit out of the way', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ WS_UPGRADES_PER_MINUTE_PER_IP: '1000000', LOG_LEVEL: 'warn' });
    });
    afterAll(() => server?.close());

    it(`a burst of ${UNAUTHENTICATED} unauthenticated upgrades: each refused with unauthorized + 4401 quickly, memory back where it was`, async () => {
      const { consultation } = await createConsultation(server, { lifecycle: true });
      const urls = [chatUrl(server, consultation.id), notificationsUrl(server), presenceUrl(server)];
      const before = memoryAfterGc();
      const baselineSockets = await socketsOpen(server);
      const started = Date.now();
      const outcomes = await pool(
        Array.from({ length: UNAUTHENTICATED }, (_, i) => i),
        50,
        (i) => attemptUpgrade(`${urls[i % 3]}${i % 2 ? `?token=garbage.${i}.x` : ''}`),
      );
      const elapsed = Date.now() - started;
      const peak = memoryAfterGc();
      // Every refused socket gone (the server cuts a lingering one 5 s after its close began), then the memory back.
      const backAt = Date.now();
      await settles('every refused socket closed', async () => (await socketsOpen(server)) <= baselineSockets, 15_000);
      const openSockets = await socketsOpen(server);
      const { after, growth } = await memoryBack(before, 16 * MB);
      const backMs = Date.now() - backAt;
      const refused = outcomes.filter(
        (o) =>
          o.closeCode === 4401 &&
          o.frames.length === 1 &&
          o.frames[0].type === 'error' &&
          o.frames[0].code === 'unauthorized',
      ).length;
      const ms = outcomes.map((o) => o.ms);
      // How fast is the bench's business; what this bound catches is a refusal that waits for a
      // timer (the 5 s lingering-socket cut or longer) rather than being answered at once. A
      // 1 s bound failed here with p99 1.2 s while four other test runs shared the two cores.
      const REFUSED_WITHIN_MS = 4000;
      const registered = server.app.get(ConnectionRegistry).size;
      recorder.record({
        area: 'Floods',
        attack: `${UNAUTHENTICATED} upgrade attempts without a valid token (none or garbage), spread over the 3 endpoints, 50 in flight`,
        tried: UNAUTHENTICATED,
        expected:
          'every one: error unauthorized + close 4401; p99 under 4 s (no refusal waits for a timer); no connection registered; heap+buffers back within 16 MB; no socket left open',
        seen:
          `${refused}/${UNAUTHENTICATED} refused (${JSON.stringify(tally(outcomes))}) in ${elapsed} ms (${Math.round((UNAUTHENTICATED * 1000) / elapsed)}/s); ` +
          `p50 ${percentile(ms, 50)} ms, p99 ${percentile(ms, 99)} ms, max ${Math.max(...ms)} ms; registered ${registered}; ` +
          `heap+buffers ${fmtMb(before.heapUsed + before.arrayBuffers)} → ${fmtMb(peak.heapUsed + peak.arrayBuffers)} right after → ${fmtMb(after.heapUsed + after.arrayBuffers)} ${backMs} ms later; sockets open ${baselineSockets} → ${openSockets}`,
        ok:
          refused === UNAUTHENTICATED &&
          percentile(ms, 99) < REFUSED_WITHIN_MS &&
          registered === 0 &&
          growth < 16 * MB &&
          openSockets <= baselineSockets,
      });
      expect(refused).toBe(UNAUTHENTICATED);
      expect(percentile(ms, 99)).toBeLessThan(REFUSED_WITHIN_MS);
      expect(registered).toBe(0);
      expect(growth).toBeLessThan(16 * MB);
      expect(openSockets).toBeLessThanOrEqual(baselineSockets);
    }, 120_000);

    it(`a burst of ${SAME_USER} simultaneous upgrades of one user: exactly 20 admitted, the rest too_many_connections + 4429`, async () => {
      const user = await createUser(server);
      const urls = [notificationsUrl(server), presenceUrl(server)];
      const before = memoryAfterGc();
      const started = Date.now();
      const outcomes = await Promise.all(
        Array.from({ length: SAME_USER }, (_, i) =>
          attemptUpgrade(`${urls[i % 2]}?token=${user.token}`, { keepOpenMs: 3000 }),
        ),
      );
      const elapsed = Date.now() - started;
      const admitted = outcomes.filter((o) => o.frames[0]?.type === 'connection_established').length;
      const refused = outcomes.filter(
        (o) =>
          o.closeCode === 4429 &&
          o.frames.length === 1 &&
          o.frames[0].type === 'error' &&
          o.frames[0].code === 'too_many_connections',
      ).length;
      const refusedMs = outcomes.filter((o) => o.closeCode === 4429).map((o) => o.ms);
      // Every attempt has ended on the client's side; then the server lets go of them all, and of their memory.
      const registry = server.app.get(ConnectionRegistry);
      await settles('every connection of the user released', () => registry.countForUser(user.id) === 0, 15_000);
      const registered = registry.countForUser(user.id);
      const { after, growth } = await memoryBack(before, 16 * MB);
      recorder.record({
        area: 'Floods',
        attack: `${SAME_USER} upgrades of one user at once (notifications and presence), each admitted one held open`,
        tried: SAME_USER,
        expected:
          'exactly WS_MAX_CONNECTIONS_PER_USER (20) admitted; every other one too_many_connections + 4429, quickly; heap+buffers back within 16 MB',
        seen: `${admitted} admitted, ${refused} refused (${JSON.stringify(tally(outcomes))}); whole burst ${elapsed} ms; refusal p99 ${percentile(refusedMs, 99)} ms; all closed afterwards: ${registered === 0}; heap+buffers ${fmtMb(before.heapUsed + before.arrayBuffers)} → ${fmtMb(after.heapUsed + after.arrayBuffers)}`,
        ok: admitted === 20 && refused === SAME_USER - 20 && registered === 0 && growth < 16 * MB,
      });
      expect(admitted).toBe(20);
      expect(refused).toBe(SAME_USER - 20);
      expect(registered).toBe(0);
      expect(growth).toBeLessThan(16 * MB);
    }, 60_000);

    it('the rate limit holds under a flood from one user over three endpoints and REST at once: exactly 300 requests pass', async () => {
      // The numerologist has spent nothing yet (the client paid for creating the consultation).
      const { consultation, numerologist: user } = await createConsultation(server, { lifecycle: true });
      const sockets = await Promise.all(
        [chatUrl(server, consultation.id), notificationsUrl(server), presenceUrl(server)].map(async (url) => {
          const ws = new WebSocket(`${url}?token=${user.token}`, { perMessageDeflate: false });
          const state = {
            ws,
            pongs: 0,
            limited: 0,
            other: [] as string[],
            closedWith: undefined as number | undefined,
          };
          ws.on('message', (data: Buffer) => {
            const frame = JSON.parse(data.toString()) as { type: string; code?: string; retry_after_ms?: number };
            if (frame.type === 'pong') state.pongs++;
            // The last one, before a 4429 close, says "exceeded repeatedly" and carries no retry_after_ms.
            else if (frame.type === 'error' && frame.code === 'rate_limited') state.limited++;
            // Frames the server sends on its own (the consultation's booking notification may land at
            // any moment) answer nothing the flood sent; only answers are counted.
            else if (
              !['connection_established', 'unread_count', 'presence_state', 'user_online', 'notification'].includes(
                frame.type,
              )
            ) {
              state.other.push(data.toString());
            }
          });
          ws.on('close', (code) => (state.closedWith = code));
          await new Promise((resolve) => ws.once('message', resolve));
          return state;
        }),
      );
      const FRAMES = 150;
      const REST = 60;
      for (let i = 0; i < FRAMES; i++) for (const s of sockets) s.ws.send('{"type":"ping"}');
      const rest = await Promise.all(
        Array.from({ length: REST }, () =>
          http(server.httpUrl, 'GET', '/api/notifications/unread-count', { token: user.token }),
        ),
      );
      // Every frame answered (a pong or rate_limited), or its socket closed: one closed with 4429
      // drops what it had not answered yet, and its close comes after everything it did send.
      await settles(
        'every frame answered or its socket closed',
        () => sockets.every((s) => s.pongs + s.limited >= FRAMES || s.closedWith !== undefined),
        10_000,
      );
      const pongs = sockets.reduce((sum, s) => sum + s.pongs, 0);
      const limited = sockets.reduce((sum, s) => sum + s.limited, 0);
      const ok200 = rest.filter((r) => r.status === 200).length;
      const rest429 = rest.filter((r) => r.status === 429 && Number(r.headers.get('retry-after')) > 0).length;
      const closes = sockets.map((s) => s.closedWith).filter((c) => c !== undefined);
      const other = sockets.reduce((sum, s) => sum + s.other.length, 0);
      recorder.record({
        area: 'Floods',
        attack: `one user floods ${FRAMES} pings on each of chat, notifications and presence while making ${REST} REST calls (RATE_LIMIT_PER_MINUTE=300)`,
        tried: FRAMES * 3 + REST,
        expected:
          'exactly 300 processed in total (pongs + HTTP 200); the rest rate_limited error frames / 429 with Retry-After; a socket closes only with 4429 (100 refused in a row)',
        seen: `${pongs} pongs + ${ok200} HTTP 200 = ${pongs + ok200}; ${limited} rate_limited frames, ${rest429} × 429; closes ${JSON.stringify(closes)}; unexpected frames ${other}${other > 0 ? ` ${sockets.flatMap((s) => s.other.slice(0, 2)).join(' ')}` : ''}`,
        ok: pongs + ok200 === 300 && rest429 === REST - ok200 && closes.every((c) => c === 4429) && other === 0,
      });
      expect(pongs + ok200).toBe(300);
      expect(rest429).toBe(REST - ok200);
      expect(closes.every((c) => c === 4429)).toBe(true);
      expect(other).toBe(0);
      for (const s of sockets) s.ws.terminate();
    }, 60_000);
  });

  describe('per-IP upgrade limit (WS_UPGRADES_PER_MINUTE_PER_IP=30)', () => {
    let server: TestServer;
    beforeAll(async () => {
      // 127.0.0.9 is the only trusted proxy, so X-Forwarded-For from the test client (127.0.0.1) is not believed.
      server = await startTestServer({
        WS_UPGRADES_PER_MINUTE_PER_IP: '30',
        TRUST_PROXY: '127.0.0.9',
        LOG_LEVEL: 'warn',
      });
    });
    afterAll(() => server?.close());

    it('past 30 upgrades a minute from one IP: HTTP 429 before any upgrade, even with a spoofed X-Forwarded-For; another IP and REST unaffected', async () => {
      const user = await createUser(server);
      const url = `${notificationsUrl(server)}?token=${user.token}`;
      const first = await pool(
        Array.from({ length: 30 }, (_, i) => i),
        10,
        () => attemptUpgrade(url),
      );
      const flood = await Promise.all(
        Array.from({ length: 70 }, (_, i) =>
          attemptUpgrade(i % 2 ? url : notificationsUrl(server), { headers: { 'x-forwarded-for': `203.0.113.${i}` } }),
        ),
      );
      const admitted = first.filter((o) => o.frames[0]?.type === 'connection_established').length;
      const limited = flood.filter((o) => o.httpStatus === 429).length;
      const floodMs = flood.map((o) => o.ms);
      // 127.0.0.2 is another client address on the loopback interface: its own budget.
      const otherIp = await attemptUpgrade(url, { localAddress: '127.0.0.2' });
      const restStatus = (await http(server.httpUrl, 'GET', '/api/users/me', { token: user.token })).status;
      recorder.record({
        area: 'Floods',
        attack:
          '100 upgrades from 127.0.0.1 within a minute with WS_UPGRADES_PER_MINUTE_PER_IP=30 (half with a spoofed X-Forwarded-For), then one from 127.0.0.2',
        tried: 101,
        expected:
          'first 30 upgraded; the other 70 HTTP 429 before the upgrade; 127.0.0.2 upgraded; REST from the same IP still 200',
        seen: `${admitted}/30 upgraded; ${limited}/70 HTTP 429 (p99 ${percentile(floodMs, 99)} ms); 127.0.0.2: ${otherIp.frames[0]?.type ?? otherIp.httpStatus ?? otherIp.error}; REST ${restStatus}`,
        ok:
          admitted === 30 &&
          limited === 70 &&
          otherIp.frames[0]?.type === 'connection_established' &&
          restStatus === 200,
      });
      expect(admitted).toBe(30);
      expect(limited).toBe(70);
      expect(otherIp.frames[0]?.type).toBe('connection_established');
      expect(restStatus).toBe(200);
    }, 60_000);
  });

  describe('Origin allow-list (CORS_ORIGINS=https://app.example.test)', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ CORS_ORIGINS: 'https://app.example.test', LOG_LEVEL: 'warn' });
    });
    afterAll(() => server?.close());

    it('browser upgrades from other origins → forbidden + 4403 on every endpoint; the allowed origin and clients without Origin connect', async () => {
      const { consultation, client } = await createConsultation(server, { lifecycle: true });
      const urls = [chatUrl(server, consultation.id), notificationsUrl(server), presenceUrl(server)];
      const cases: { origin: string | undefined; token: boolean; expect: 'accepted' | 'forbidden' }[] = [
        { origin: 'https://app.example.test', token: true, expect: 'accepted' },
        { origin: undefined, token: true, expect: 'accepted' },
        { origin: 'https://evil.example', token: true, expect: 'forbidden' },
        { origin: 'https://evil.example', token: false, expect: 'forbidden' },
        { origin: 'http://app.example.test', token: true, expect: 'forbidden' },
        { origin: 'https://app.example.test:8443', token: true, expect: 'forbidden' },
        { origin: 'https://app.example.test.evil.example', token: true, expect: 'forbidden' },
        { origin: 'null', token: true, expect: 'forbidden' },
      ];
      const failures: string[] = [];
      let tried = 0;
      for (const url of urls) {
        for (const c of cases) {
          tried++;
          const got = await upgradeFromOrigin(`${url}${c.token ? `?token=${client.token}` : ''}`, c.origin);
          if (got !== c.expect) failures.push(`${url} Origin ${c.origin ?? '(none)'}: ${got}`);
        }
      }
      const preflight = await fetch(`${server.httpUrl}/api/users/me`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
      });
      const restCorsForEvil = preflight.headers.get('access-control-allow-origin');
      recorder.record({
        area: 'Floods',
        attack: `Origin allow-list: ${cases.length} Origin headers (allowed, none, other host, other scheme, other port, suffix trick, "null") × 3 endpoints`,
        tried,
        expected:
          'allowed origin and no Origin: connection_established; every other origin: forbidden + 4403 before the token is looked at',
        seen:
          failures.length === 0
            ? `${tried}/${tried} as expected; REST CORS for evil origin: ${restCorsForEvil ?? 'not allowed'}`
            : `FAILED: ${failures.join(' | ')}`,
        ok: failures.length === 0 && restCorsForEvil === null,
      });
      expect(failures).toEqual([]);
      expect(restCorsForEvil).toBeNull();
    }, 60_000);
  });

  describe('slowloris: half-sent upgrades from one address (MAX_CONNECTIONS_PER_IP=100, the default 10 s header timeout)', () => {
    const SLOW = 1_500;
    const CAP = 100;
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({
        // The header timeout stays the default (10 s): long enough for all 1,500 to connect on a loaded machine
        // before the first held ones are cut (which would free places for later ones).
        MAX_CONNECTIONS_PER_IP: String(CAP),
        WS_UPGRADES_PER_MINUTE_PER_IP: '1000000',
        LOG_LEVEL: 'warn',
      });
    });
    afterAll(() => server?.close());

    it(`${SLOW} upgrades that never finish their headers: all but ${CAP} refused at once (429), those cut at the header timeout; other addresses still connect`, async () => {
      const port = (server.app.getHttpServer().address() as { port: number }).port;
      const { client } = await createConsultation(server);
      const attempts = Array.from({ length: SLOW }, () => halfOpenUpgrade(port, '/ws/presence/'));
      await Promise.all(attempts.map((attempt) => attempt.connected));
      // While they are held, a client from another address is served as usual.
      const other = await attemptUpgrade(`${presenceUrl(server)}?token=${client.token}`, { localAddress: '127.0.0.2' });
      const outcomes = await Promise.all(attempts.map((attempt) => attempt.outcome));
      const refusedAtOnce = outcomes.filter((o) => o.answered429).length;
      const held = outcomes.filter((o) => !o.answered429).map((o) => o.closedAfterMs);
      const longestHeld = Math.max(...held);
      // Once they are gone the address is welcome again.
      const after = await attemptUpgrade(`${presenceUrl(server)}?token=${client.token}`);
      const ok =
        refusedAtOnce >= SLOW - CAP &&
        held.length <= CAP &&
        longestHeld < 30_000 &&
        other.frames[0]?.type === 'connection_established' &&
        after.frames[0]?.type === 'connection_established';
      recorder.record({
        area: 'Floods',
        attack: `slowloris: ${SLOW} WebSocket upgrades from one address that never finish their headers`,
        tried: SLOW,
        expected: `all but ${CAP} (MAX_CONNECTIONS_PER_IP) refused with 429 at once; the rest closed at the 10 s header timeout (not held for 90 s); another address connects meanwhile`,
        seen: `${refusedAtOnce} refused with 429; ${held.length} held, closed after at most ${longestHeld} ms; other address: ${other.frames[0]?.type ?? other.error}; same address afterwards: ${after.frames[0]?.type ?? after.error}`,
        ok,
      });
      expect(refusedAtOnce).toBeGreaterThanOrEqual(SLOW - CAP);
      expect(held.length).toBeLessThanOrEqual(CAP);
      expect(longestHeld).toBeLessThan(30_000);
      expect(other.frames[0]?.type).toBe('connection_established');
      expect(after.frames[0]?.type).toBe('connection_established');
    }, 90_000);
  });

  describe('Origin with CORS_ORIGINS unset: same origin only', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ LOG_LEVEL: 'warn' });
    });
    afterAll(() => server?.close());

    it('cross-origin browser upgrades → forbidden + 4403 on every endpoint; same-origin pages and clients without Origin connect', async () => {
      const { consultation, client } = await createConsultation(server);
      const urls = [chatUrl(server, consultation.id), notificationsUrl(server), presenceUrl(server)];
      const own = server.httpUrl;
      const cases: { origin: string | undefined; expect: 'accepted' | 'forbidden' }[] = [
        { origin: own, expect: 'accepted' },
        { origin: undefined, expect: 'accepted' },
        { origin: 'https://evil.example', expect: 'forbidden' },
        { origin: own.replace('127.0.0.1', 'localhost'), expect: 'forbidden' },
        { origin: `${own}0`, expect: 'forbidden' },
        { origin: 'null', expect: 'forbidden' },
      ];
      const failures: string[] = [];
      for (const url of urls) {
        for (const c of cases) {
          const got = await upgradeFromOrigin(`${url}?token=${client.token}`, c.origin);
          if (got !== c.expect) failures.push(`${url} Origin ${c.origin ?? '(none)'}: ${got}`);
        }
      }
      recorder.record({
        area: 'Floods',
        attack: `cross-origin upgrade with CORS_ORIGINS unset: ${cases.length} Origin headers (own, none, other site, other host name, other port, "null") × 3 endpoints`,
        tried: cases.length * urls.length,
        expected: 'own origin and no Origin: connection_established; any other origin: forbidden + 4403',
        seen: failures.length === 0 ? 'all as expected' : `FAILED: ${failures.join(' | ')}`,
        ok: failures.length === 0,
      });
      expect(failures).toEqual([]);
    }, 60_000);
  });
});
