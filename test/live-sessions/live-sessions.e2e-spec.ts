import type { LiveSessionData, ServerFrameMap } from '@numerai/protocol';
import { LiveSessionEntity } from '@numerai/live-sessions';
import { JobRunner } from '@numerai/scheduler';
import { DataSource, Like } from 'typeorm';
import { WalletTransferEntity } from '@numerai/wallet';
import { createConsultation, type TestUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE, expectError, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import type { TestSocket } from '../support/ws-client';
import { waitFor } from '../support/wait-for';
import { postWebhook, topUpEvent, WEBHOOK_SECRET } from '../wallet/payments';
import { closeAll, createAdmin, notificationsOf, openChat } from '../ws/helpers';

noteSkippedPostgres('live sessions');

// Short minutes so the suite runs in seconds; the logic does not depend on the length.
const MINUTE_MS = 2000;
const RATE = 100;
const EARNING = 80; // LIVE_SESSION_COMMISSION_PERCENT 20

type Session = LiveSessionData;

/**
 * Issue 28: live per-minute sessions over REST and the chat socket — request, accept, lapse,
 * end; the server's clock charging each started minute once; low_balance; a top-up extending it;
 * the end at zero; the pause while the numerologist is away. Every client's first session has
 * one free minute here (LIVE_SESSION_FREE_MINUTES=1).
 */
describe(`live sessions (${ENGINE})`, () => {
  let server: TestServer;
  let admin: TestUser;
  const sockets: TestSocket[] = [];

  const session = (user: TestUser, consultationId: string, action = '', method: 'POST' | 'GET' = 'POST') =>
    http<Session>(server.httpUrl, method, `/api/consultations/${consultationId}/session${action}`, {
      token: user.token,
    });
  const balance = async (user: TestUser) =>
    (await http<{ balance: number }>(server.httpUrl, 'GET', '/api/wallet', { token: user.token })).body.balance;
  const grant = async (user: TestUser, amount: number) => {
    const res = await http(server.httpUrl, 'POST', `/api/admin/wallets/${user.id}/grants`, {
      token: admin.token,
      body: { amount, idempotency_key: `${user.id}:${amount}:${Math.random()}` },
    });
    expect(res.status).toBe(201);
  };
  const availability = async (user: TestUser) =>
    (await http<{ status: string }>(server.httpUrl, 'GET', '/api/availability', { token: user.token })).body.status;

  /** An active consultation whose numerologist is available at RATE, both participants on its chat. */
  async function ready(options: { rate?: number | null; available?: boolean } = {}) {
    const { consultation, client, numerologist } = await createConsultation(server, { status: 'active' });
    const rate = options.rate === undefined ? RATE : options.rate;
    if (rate !== null) {
      const put = (path: string, body: unknown) =>
        http(server.httpUrl, 'PUT', `/api/availability${path}`, { token: numerologist.token, body });
      expect((await put('/rate', { rate_minor: rate })).status).toBe(200);
      if (options.available !== false) expect((await put('', { status: 'available' })).status).toBe(200);
    }
    const clientChat = await openChat(server, consultation.id, client);
    const numerologistChat = await openChat(server, consultation.id, numerologist);
    sockets.push(clientChat, numerologistChat);
    return { id: consultation.id, client, numerologist, clientChat, numerologistChat };
  }

  const state = (socket: TestSocket, matches: (data: Session) => boolean, what: string, timeoutMs = 10_000) =>
    socket
      .nextMatching('session_state', (frame) => matches(frame.data), what, timeoutMs)
      .then((frame: ServerFrameMap['session_state']) => frame.data);
  const systemMessage = (socket: TestSocket, event: string) =>
    socket.nextMatching('chat_message', (frame) => frame.data.event === event, `system message ${event}`, 10_000);

  beforeAll(async () => {
    server = await startTestServer({
      RATE_LIMIT_PER_MINUTE: '100000',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      PRESENCE_GRACE_MS: '200',
      LIVE_SESSION_MINUTE_MS: String(MINUTE_MS),
      LIVE_SESSION_TICK_MS: '100',
      LIVE_SESSION_ACCEPT_MS: '1500',
      LIVE_SESSION_PAUSE_AFTER_MS: '1000',
      LIVE_SESSION_FREE_MINUTES: '1',
      LIVE_SESSION_COMMISSION_PERCENT: '20',
      // No availability sweep: these numerologists hold their chat sockets anyway.
      SCHEDULER_TICK_MS: '3600000',
    });
    admin = await createAdmin(server);
  });
  afterEach(() => closeAll(...sockets.splice(0)));
  afterAll(() => server?.close());

  it('refuses with clear errors: not a participant, the numerologist asking, no rate, not available, already pending', async () => {
    const noRate = await ready({ rate: null });
    expectError(await session(noRate.client, noRate.id), 409, 'rate');
    const away = await ready({ available: false });
    expectError(await session(away.client, away.id), 409, 'not available');

    const live = await ready();
    expectError(await session(live.numerologist, live.id), 403);
    expectError(await session(away.client, live.id), 404);
    expectError(await session(live.client, live.id, '/accept'), 403);
    expectError(await session(live.numerologist, live.id, '/accept'), 409, 'pending');
    expect((await session(live.client, live.id)).status).toBe(201);
    expectError(await session(live.client, live.id), 409, 'already');
    // Withdrawn: the client ends the request; nothing was charged.
    const withdrawn = await session(live.client, live.id, '/end');
    expect(withdrawn.body).toMatchObject({ status: 'ended', end_reason: 'client', minutes_charged: 0 });
  });

  it('request, accept, a minute charged at the start of each minute, earnings less commission, end by the client', async () => {
    const { id, client, numerologist, clientChat, numerologistChat } = await ready();
    await grant(client, 1000);
    const requested = await session(client, id);
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({ status: 'requested', rate_minor: RATE, currency: 'USD', free_minutes: 1 });
    await state(numerologistChat, (data) => data.status === 'requested', 'the request on the numerologist’s chat');
    await waitFor('the request notification', async () =>
      (await notificationsOf(server, numerologist)).some((n) => n.notification_type === 'live_session_requested'),
    );

    const accepted = await session(numerologist, id, '/accept');
    expect(accepted.status).toBe(200);
    // Minute 1 is free (the client's first session); the clock shows the paid time and what the balance buys.
    expect(accepted.body).toMatchObject({ status: 'active', minutes_charged: 0, amount_charged: 0 });
    expect(accepted.body.seconds_left).toBeGreaterThanOrEqual(10 * (MINUTE_MS / 1000));
    await systemMessage(clientChat, 'live_session_started');
    expect(await availability(numerologist)).toBe('busy');

    // Minute 2 starts on the server's clock and is charged once.
    const second = await state(clientChat, (data) => data.minutes_charged === 1, 'minute 2 charged');
    expect(second).toMatchObject({ status: 'active', amount_charged: RATE });
    expect(await balance(client)).toBe(1000 - RATE);

    const ended = await session(client, id, '/end');
    expect(ended.body).toMatchObject({ status: 'ended', end_reason: 'client' });
    await state(numerologistChat, (data) => data.status === 'ended', 'the end on the numerologist’s chat');
    await systemMessage(numerologistChat, 'live_session_ended');
    const summary = (await session(numerologist, id, '', 'GET')).body;
    expect(summary).toMatchObject({ status: 'ended', minutes_charged: ended.body.minutes_charged });
    expect(await balance(client)).toBe(1000 - summary.amount_charged);
    // Every started minute earned (the free one is the platform's gift): the rate less 20 %.
    expect(await balance(numerologist)).toBe((summary.minutes_charged + 1) * EARNING);
    await waitFor('available again', async () => (await availability(numerologist)) === 'available');
    expectError(await session(client, id, '/end'), 409, 'No live session');
  });

  it('a chat socket (re)connecting while a session is open gets its session_state at once; one without none', async () => {
    const { id, client, numerologist, clientChat } = await ready();
    /** A new chat socket's first frame after connection_established: a reloaded tab asks no REST for it. */
    const firstState = async (user: TestUser, query: Record<string, string> = {}) => {
      const socket = await openChat(server, id, user, { query });
      sockets.push(socket);
      const frame = await socket.next();
      expect(frame.type).toBe('session_state');
      return (frame as ServerFrameMap['session_state']).data;
    };
    /** With a replay asked for, its replay_complete comes after whatever the socket is shown as it opens. */
    const noState = async (user: TestUser) => {
      const socket = await openChat(server, id, user, { query: { last_seq: '0' } });
      sockets.push(socket);
      await socket.next('replay_complete');
      expect(socket.frames.filter((frame) => frame.type === 'session_state')).toEqual([]);
    };

    await noState(client);
    await grant(client, 1000);
    const requested = (await session(client, id)).body;
    expect(await firstState(numerologist)).toMatchObject({ session_id: requested.session_id, status: 'requested' });
    expect((await session(numerologist, id, '/accept')).status).toBe(200);
    await systemMessage(clientChat, 'live_session_started');

    // Mid-session, resuming the chat too: the running clock first, then the replay.
    const running = await firstState(client, { last_seq: '0' });
    expect(running).toMatchObject({
      session_id: requested.session_id,
      consultation_id: id,
      status: 'active',
      rate_minor: RATE,
    });
    expect(running.seconds_left).toBeGreaterThan(0);

    expect((await session(client, id, '/end')).status).toBe(200);
    // Once the end was announced (it runs after the commit), a socket opening is shown no session.
    await state(clientChat, (data) => data.status === 'ended', 'the end');
    await noState(numerologist);
  });

  it('clock runs racing each other (five at a time, besides the timer) charge and earn each minute once', async () => {
    const { id, client, numerologist, clientChat } = await ready();
    await grant(client, 1000);
    expect((await session(client, id)).status).toBe(201);
    expect((await session(numerologist, id, '/accept')).status).toBe(200);
    const runner = server.app.get(JobRunner);
    const race = async () => {
      while ((await session(client, id, '', 'GET')).body.minutes_charged < 2) {
        await Promise.all(Array.from({ length: 5 }, () => runner.runNow('live-session-clock')));
      }
    };
    await Promise.all([race(), state(clientChat, (data) => data.minutes_charged === 2, 'minute 3 charged')]);
    const ended = (await session(client, id, '/end')).body;
    const minutes = ended.minutes_charged + ended.free_minutes;
    // The row and the ledger agree: what the client paid, and one earning per minute started.
    expect(await balance(client)).toBe(1000 - ended.amount_charged);
    expect(ended.amount_charged).toBe(ended.minutes_charged * RATE);
    expect(await balance(numerologist)).toBe(minutes * EARNING);
  });

  it('export lists a user’s sessions on both sides; erasing the client deletes them mid-session, and the clock stops', async () => {
    const { id, client, numerologist } = await ready();
    await grant(client, 1000);
    expect((await session(client, id)).status).toBe(201);
    const accepted = (await session(numerologist, id, '/accept')).body;
    const exported = async (user: TestUser) =>
      (
        await http<{ live_sessions: Record<string, { id: string }[]> }>(server.httpUrl, 'GET', '/api/users/me/export', {
          token: user.token,
        })
      ).body.live_sessions;
    expect((await exported(client)).as_client.map((row) => row.id)).toEqual([accepted.session_id]);
    expect((await exported(numerologist)).as_numerologist).toEqual([
      expect.objectContaining({ id: accepted.session_id, client_id: client.id, status: 'active', rate_minor: RATE }),
    ]);

    const charges = () =>
      server.app
        .get(DataSource)
        .getRepository(WalletTransferEntity)
        .countBy({ idempotencyKey: Like(`session:${accepted.session_id}:minute:%`), kind: 'charge' });
    const erased = await http(server.httpUrl, 'DELETE', '/api/users/me', {
      token: client.token,
      body: { password: client.password },
    });
    expect(erased.status).toBe(204);
    const chargedAtErasure = await charges();
    expect(await server.app.get(DataSource).getRepository(LiveSessionEntity).countBy({ id: accepted.session_id })).toBe(
      0,
    );
    // Clock runs after it (one past the next minute's start) charge nothing more for the session that is gone.
    await waitFor('a minute past the erasure', async () => {
      await server.app.get(JobRunner).runNow('live-session-clock');
      return Date.parse(accepted.started_at!) + 2 * MINUTE_MS < Date.now();
    });
    expect(await charges()).toBe(chargedAtErasure);
    await waitFor('the numerologist available again', async () => (await availability(numerologist)) === 'available');
  });

  it('lapses when the numerologist does not accept in time: both notified, a system message', async () => {
    const { id, client, numerologist, clientChat } = await ready();
    await grant(client, 500);
    expect((await session(client, id)).status).toBe(201);
    await state(clientChat, (data) => data.status === 'lapsed', 'the lapse', 5000);
    await systemMessage(clientChat, 'live_session_lapsed');
    for (const user of [client, numerologist]) {
      await waitFor('the lapse notification', async () =>
        (await notificationsOf(server, user)).some((n) => n.notification_type === 'live_session_lapsed'),
      );
    }
    expectError(await session(numerologist, id, '/accept'), 409);
    expect(await balance(client)).toBe(500);
  });

  it('low_balance at two minutes left, a top-up extends the session at once, and at zero it ends by itself', async () => {
    const { id, client, numerologist, clientChat } = await ready();
    await grant(client, 2 * RATE);
    expect((await session(client, id)).status).toBe(201);
    expect((await session(numerologist, id, '/accept')).status).toBe(200);
    // Minute 2 takes the balance to one minute: two minutes left (this one and the next).
    const warning = await clientChat.next('low_balance', 10_000);
    expect(warning).toMatchObject({ balance_minor: RATE });
    expect(warning.seconds_left).toBeLessThanOrEqual(2 * (MINUTE_MS / 1000));

    const before = (await session(client, id, '', 'GET')).body;
    expect((await postWebhook(server.httpUrl, topUpEvent(client.id, 2 * RATE))).body).toEqual({
      received: true,
      applied: true,
    });
    const extended = await state(
      clientChat,
      (data) => data.seconds_left >= before.seconds_left + MINUTE_MS / 1000,
      'the top-up',
    );
    expect(extended.status).toBe('active');

    const ended = await state(clientChat, (data) => data.status === 'ended', 'the end at zero', 20_000);
    expect(ended).toMatchObject({ end_reason: 'balance', minutes_charged: 4, amount_charged: 4 * RATE });
    await systemMessage(clientChat, 'live_session_ended');
    expect(await balance(client)).toBe(0);
    expect(await balance(numerologist)).toBe(5 * EARNING);
    // Its second session has no free minute: one minute's balance is needed.
    expectError(await session(client, id), 409, 'Insufficient');
  });

  it('a first session with no balance runs its free minute and ends at zero', async () => {
    const { id, client, numerologist, clientChat } = await ready();
    expect((await session(client, id)).status).toBe(201);
    expect((await session(numerologist, id, '/accept')).status).toBe(200);
    const ended = await state(clientChat, (data) => data.status === 'ended', 'the end after the free minute');
    expect(ended).toMatchObject({ end_reason: 'balance', minutes_charged: 0, amount_charged: 0 });
    expect(await balance(client)).toBe(0);
  });

  it('the consultation completed under a running session ends it (the clock reads it from the database)', async () => {
    const { id, client, numerologist, clientChat } = await ready();
    await grant(client, 1000);
    expect((await session(client, id)).status).toBe(201);
    expect((await session(numerologist, id, '/accept')).status).toBe(200);
    const completed = await http(server.httpUrl, 'PATCH', `/api/consultations/${id}`, {
      token: numerologist.token,
      body: { status: 'completed' },
    });
    expect(completed.status).toBe(200);
    const ended = await state(clientChat, (data) => data.status === 'ended', 'the end with the consultation');
    expect(ended).toMatchObject({ end_reason: 'consultation_closed', minutes_charged: 0 });
    await waitFor('available again', async () => (await availability(numerologist)) === 'available');
  });

  it('the numerologist away for longer than the pause rule: paused, that minute refunded, resumed on return', async () => {
    const { id, client, numerologist, clientChat, numerologistChat } = await ready();
    await grant(client, 1000);
    expect((await session(client, id)).status).toBe(201);
    expect((await session(numerologist, id, '/accept')).status).toBe(200);
    await state(clientChat, (data) => data.minutes_charged === 1, 'minute 2 charged');

    await numerologistChat.close();
    const paused = await state(clientChat, (data) => data.status === 'paused', 'the pause');
    expect(paused).toMatchObject({ seconds_left: 0 });
    // The minute the numerologist was gone in is not charged: back to what was paid before it.
    expect(await balance(client)).toBe(1000 - paused.amount_charged);

    const back = await openChat(server, id, numerologist);
    sockets.push(back);
    // A new minute starts (and is charged) on return; earlier frames of the session were active too.
    const resumed = await state(
      clientChat,
      (data) => data.status === 'active' && data.minutes_charged === paused.minutes_charged + 1,
      'the resume',
    );
    expect(resumed.amount_charged).toBe(paused.amount_charged + RATE);
    const ended = await session(numerologist, id, '/end');
    expect(ended.body).toMatchObject({ status: 'ended', end_reason: 'numerologist' });
    expect(await balance(client)).toBe(1000 - ended.body.amount_charged);
  });
});
