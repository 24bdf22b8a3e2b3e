import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { healthStatus, percentile, pool } from './support/harness';
import { FULL_TIER, ReliabilityRecorder } from './support/recorder';

/**
 * Issue 17's attacks on consent and limits: consultation spam to watch a stranger's
 * presence, racing status changes, and nested JSON bodies meant to burn CPU. (Slowloris and
 * cross-origin upgrades are in floods.e2e-spec.ts.)
 */
const recorder = new ReliabilityRecorder('consent-limits');
const AREA = 'Consent and limits';
const SPAMMERS = 10;
const POSTS_EACH = FULL_TIER ? 280 : 60;
const RACES = FULL_TIER ? 100 : 30;
const NESTED_SENDERS = 3;
const NESTED_EACH = FULL_TIER ? 60 : 20;

describe(`hostile: consent and limits (${ENGINE})`, () => {
  let server: TestServer;
  const post = (user: TestUser, numerologistId: string) =>
    http(server.httpUrl, 'POST', '/api/consultations', {
      token: user.token,
      body: { numerologist_id: numerologistId },
    });

  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    recorder.write();
    await server?.close();
  });

  it(`consultation spam: ${SPAMMERS} accounts × ${POSTS_EACH} POSTs at one numerologist, and one account at 30 numerologists`, async () => {
    const target = await createUser(server, { role: 'numerologist' });
    const spammers = await Promise.all(Array.from({ length: SPAMMERS }, () => createUser(server)));
    const attempts = spammers.flatMap((spammer) => Array.from({ length: POSTS_EACH }, () => spammer));
    const answers = await pool(attempts, 20, (spammer) => post(spammer, target.id));
    const created = answers.filter((res) => res.status === 201).length;
    const conflicts = answers.filter((res) => res.status === 409).length;

    const wide = await createUser(server);
    const numerologists = await Promise.all(
      Array.from({ length: 30 }, () => createUser(server, { role: 'numerologist' })),
    );
    const wideAnswers = await Promise.all(numerologists.map((numerologist) => post(wide, numerologist.id)));
    const wideCreated = wideAnswers.filter((res) => res.status === 201).length;

    const list = await http(server.httpUrl, 'GET', '/api/consultations', { token: target.token });
    const listBytes = JSON.stringify(list.body).length;
    const ok =
      created === SPAMMERS &&
      conflicts === attempts.length - SPAMMERS &&
      wideCreated === 10 &&
      list.body.items.length <= 50 &&
      listBytes < 32_000;
    recorder.record({
      area: AREA,
      attack: `consultation spam: ${SPAMMERS} accounts × ${POSTS_EACH} concurrent POSTs at one numerologist; one account at 30 numerologists at once`,
      tried: attempts.length + numerologists.length,
      expected:
        'one open consultation per pair (the rest 409 naming it), at most 10 open per client (MAX_OPEN_CONSULTATIONS); the numerologist’s list is one bounded page',
      seen: `${created} created, ${conflicts} × 409 at one numerologist; ${wideCreated}/30 created by one account; list page ${list.body.items.length} items, ${listBytes} bytes`,
      ok,
    });
    expect(created).toBe(SPAMMERS);
    expect(conflicts).toBe(attempts.length - SPAMMERS);
    expect(wideCreated).toBe(10);
    expect(list.body.items.length).toBeLessThanOrEqual(50);
  }, 120_000);

  it(`racing status changes: completed vs cancelled, ${RACES} consultations`, async () => {
    let bothWon = 0;
    let exactlyOne = 0;
    for (let i = 0; i < RACES; i++) {
      const { consultation, client, numerologist } = await createConsultation(server, { status: 'active' });
      const answers = await Promise.all([
        http(server.httpUrl, 'PATCH', `/api/consultations/${consultation.id}`, {
          token: numerologist.token,
          body: { status: 'completed' },
        }),
        http(server.httpUrl, 'PATCH', `/api/consultations/${consultation.id}`, {
          token: client.token,
          body: { status: 'cancelled' },
        }),
      ]);
      const statuses = answers.map((res) => res.status).sort();
      if (statuses[0] === 200 && statuses[1] === 200) bothWon++;
      if (statuses[0] === 200 && statuses[1] === 409) exactlyOne++;
    }
    recorder.record({
      area: AREA,
      attack: `racing PATCH completed (numerologist) and cancelled (client) on one active consultation, ${RACES} times`,
      tried: RACES * 2,
      expected: 'exactly one 200 and one 409 every time (conditional UPDATE … WHERE status = <expected>)',
      seen: `one winner ${exactlyOne}/${RACES}; both 200 in ${bothWon}`,
      ok: exactlyOne === RACES,
    });
    expect(exactlyOne).toBe(RACES);
  }, 120_000);

  it(`nested JSON bodies: ${NESTED_SENDERS} unauthenticated senders × ${NESTED_EACH} bodies of 60 KB and 800 KB nesting, /health timed meanwhile`, async () => {
    const bodies = ['['.repeat(30_000) + ']'.repeat(30_000), '['.repeat(400_000) + ']'.repeat(400_000)];
    const statuses: Record<string, number> = {};
    let sending = true;
    const senders = Array.from({ length: NESTED_SENDERS }, async (_, sender) => {
      for (let i = 0; i < NESTED_EACH; i++) {
        const path = i % 2 ? '/api/auth/login' : '/api/admin/notifications/broadcast';
        const res = await fetch(`${server.httpUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', connection: 'close' },
          body: bodies[(i + sender) % 2],
        });
        await res.text();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    });
    const healthMs: number[] = [];
    const healthOk: boolean[] = [];
    const probe = (async () => {
      while (sending) {
        const started = Date.now();
        healthOk.push((await healthStatus(server)) === 200);
        healthMs.push(Date.now() - started);
      }
    })();
    await Promise.all(senders);
    sending = false;
    await probe;
    const refused = (statuses['400'] ?? 0) + (statuses['401'] ?? 0) + (statuses['413'] ?? 0);
    const total = NESTED_SENDERS * NESTED_EACH;
    const p99 = percentile(healthMs, 99);
    const ok = refused === total && !statuses['500'] && healthOk.every(Boolean);
    recorder.record({
      area: AREA,
      attack: `nested JSON: ${NESTED_SENDERS} unauthenticated senders × ${NESTED_EACH} POSTs of 60 KB / 800 KB of \`[[[[…\` (login and the 1 MB broadcast route)`,
      tried: total,
      expected:
        '400 (nesting > 32, before parsing) or 413 (over 64 KB) every time, never 500; /health answers 200 throughout',
      seen: `statuses ${JSON.stringify(statuses)}; /health ${healthMs.length} probes, p50 ${percentile(healthMs, 50)} ms, p99 ${p99} ms, all 200: ${healthOk.every(Boolean)}`,
      ok,
    });
    expect(statuses['500']).toBeUndefined();
    expect(refused).toBe(total);
    expect(healthOk.every(Boolean)).toBe(true);
  }, 120_000);
});
