import { createConsultation } from '../support/factories';
import { http } from '../support/http';
import { Cluster, describeScaleOut, FAKETIME, Instance, testClientsClosedAfterEach, waitFor } from './support/cluster';

const MINUTE_MS = 2000;
const RATE = 100;
/** The client's balance pays exactly this many minutes: the session must end by itself after them. */
const MINUTES = 8;

/**
 * Issue 28 on three instances (PostgreSQL, Redis, the scheduler on BullMQ), one of them with a
 * clock a second ahead: a live session whose clock ticks on whichever instance takes the job,
 * and the instance that started it killed mid-session. The session goes on, every minute is
 * charged once (its ledger key `session:<id>:minute:<n>` exactly once for n = 1…MINUTES, none
 * lost), each earned once, and it ends by itself when the balance runs out, on time (± 2 s).
 */
describeScaleOut('scale-out: a live session survives a killed instance, each minute charged once', () => {
  let cluster: Cluster;
  let A: Instance;
  let B: Instance;
  let C: Instance;
  const gateways = testClientsClosedAfterEach();

  beforeAll(async () => {
    cluster = await Cluster.start(2, {
      RATE_LIMIT_PER_MINUTE: '100000',
      LIVE_SESSION_MINUTE_MS: String(MINUTE_MS),
      LIVE_SESSION_TICK_MS: '200',
      LIVE_SESSION_FREE_MINUTES: '0',
      LOG_LEVEL: 'warn',
    });
    // A host whose clock drifted a second ahead takes its share of the ticks.
    await cluster.add(FAKETIME ? [FAKETIME, '-f', '+1s'] : []);
    [A, B, C] = cluster.instances;
  }, 180_000);

  afterAll(() => cluster?.stopAndCheck(), 60_000);

  it('kill the instance that started it: the session goes on, each minute charged once, ends on time at zero', async () => {
    const { consultation, client, numerologist } = await createConsultation(A, { status: 'active' });
    const put = (path: string, body: unknown) =>
      http(A.httpUrl, 'PUT', `/api/availability${path}`, { token: numerologist.token, body });
    expect((await put('/rate', { rate_minor: RATE })).status).toBe(200);
    expect((await put('', { status: 'available' })).status).toBe(200);
    const admin = await cluster.createAdmin(A);
    const granted = await http(A.httpUrl, 'POST', `/api/admin/wallets/${client.id}/grants`, {
      token: admin.token,
      body: { amount: MINUTES * RATE, idempotency_key: 'scale-out-live-session' },
    });
    expect(granted.status).toBe(201);
    // Both participants on instances that stay up (the numerologist's socket is what keeps the clock running).
    const { socket: clientChat } = await gateways(C).chat(client, consultation.id);
    await gateways(B).chat(numerologist, consultation.id);

    const session = (user: typeof client, action: string) =>
      http<{ session_id: string; started_at?: string }>(
        A.httpUrl,
        'POST',
        `/api/consultations/${consultation.id}/session${action}`,
        { token: user.token },
      );
    expect((await session(client, '')).status).toBe(201);
    const accepted = await session(numerologist, '/accept');
    expect(accepted.status).toBe(200);
    const id = accepted.body.session_id;

    await clientChat.nextMatching('session_state', (frame) => frame.data.minutes_charged >= 3, 'minute 3', 20_000);
    A.kill('SIGKILL');
    await A.exited;

    const ended = await clientChat.nextMatching(
      'session_state',
      (frame) => frame.data.status === 'ended',
      'the end at zero',
      60_000,
    );
    expect(ended.data).toMatchObject({
      end_reason: 'balance',
      minutes_charged: MINUTES,
      amount_charged: MINUTES * RATE,
    });

    const transfers = await cluster.rows<{ idempotency_key: string; kind: string }>(
      `SELECT idempotency_key, kind FROM wallet_transfers WHERE idempotency_key LIKE $1 ORDER BY idempotency_key`,
      [`session:${id}:minute:%`],
    );
    const keys = (kind: string) =>
      transfers
        .filter((transfer) => transfer.kind === kind)
        .map((transfer) => Number(/minute:(\d+)/.exec(transfer.idempotency_key)![1]))
        .sort((a, b) => a - b);
    const oneToMinutes = Array.from({ length: MINUTES }, (_, i) => i + 1);
    expect(keys('charge')).toEqual(oneToMinutes);
    expect(keys('earning')).toEqual(oneToMinutes);
    expect(keys('refund')).toEqual([]);

    const [balance] = await cluster.rows<{ total: string }>(
      `SELECT COALESCE(SUM(e.amount_minor), 0) AS total FROM wallet_entries e
       JOIN wallet_accounts a ON a.id = e.account_id WHERE a.user_id = $1`,
      [client.id],
    );
    expect(Number(balance.total)).toBe(0);

    // On time: the paid minutes ran from the start, whichever instance ticked (±2 s, one of them a second ahead).
    const [row] = await cluster.rows<{ started_at: Date; ended_at: Date }>(
      'SELECT started_at, ended_at FROM live_sessions WHERE id = $1',
      [id],
    );
    const lasted = row.ended_at.getTime() - row.started_at.getTime();
    expect(Math.abs(lasted - MINUTES * MINUTE_MS)).toBeLessThanOrEqual(2000);
    await waitFor('the numerologist available again', async () => {
      const res = await http<{ status: string }>(B.httpUrl, 'GET', '/api/availability', { token: numerologist.token });
      return res.body.status === 'available';
    });
    process.stdout.write(`live session: ${MINUTES} minutes in ${lasted} ms across an instance killed after minute 3\n`);
  }, 180_000);
});
