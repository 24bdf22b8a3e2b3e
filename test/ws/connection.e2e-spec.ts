import { randomUUID } from 'node:crypto';
import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { decodeClaims, mintToken, sidOf } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { waitFor } from '../support/wait-for';
import { connect, TestSocket } from '../support/ws-client';
import {
  chatUrl,
  closeAll,
  errorFrame,
  expectRefused,
  notificationsUrl,
  openChat,
  openNotifications,
  openPresence,
  presenceUrl,
  withTimeout,
} from './helpers';

/** Connecting, refusals and close codes, app-level ping, in-band token renewal and token expiry. */
describe('ws: connecting', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const nowSeconds = () => Math.floor(Date.now() / 1000);

  describe('the three published URLs', () => {
    // Trailing slash optional, query string allowed (besides ?token=).
    const suffixes = ['/', '', '/?lang=en&v=2', '?lang=en'];

    it.each(suffixes)('chat accepts /ws/chat/{id}%s', async (suffix) => {
      const { consultation, client } = await createConsultation(server);
      const socket = await connect(chatUrl(server, consultation.id, suffix), { token: client.token });
      expect(await socket.next()).toEqual({
        type: 'connection_established',
        message: 'Connected to chat',
        consultation_id: consultation.id,
      });
      await socket.close();
    });

    it.each(suffixes)('notifications accepts /ws/notifications%s, then unread_count at once', async (suffix) => {
      const user = await createUser(server);
      const socket = await connect(notificationsUrl(server, suffix), { token: user.token });
      expect(await socket.next()).toEqual({ type: 'connection_established', message: 'Connected to notifications' });
      expect(await socket.next()).toEqual({ type: 'unread_count', count: 0 });
      await socket.expectSilence();
      await socket.close();
    });

    it.each(suffixes)('presence accepts /ws/presence%s, then presence_state', async (suffix) => {
      const user = await createUser(server);
      const socket = await connect(presenceUrl(server, suffix), { token: user.token });
      expect(await socket.next()).toEqual({ type: 'connection_established', message: 'Connected to presence' });
      expect(await socket.next()).toEqual({ type: 'presence_state', users: [] });
      await socket.expectSilence();
      await socket.close();
    });

    it('takes the token from an Authorization: Bearer header on all three endpoints', async () => {
      const { consultation, client } = await createConsultation(server);
      const headers = { authorization: `Bearer ${client.token}` };
      const chat = await openChat(server, consultation.id, client, { token: undefined, headers });
      const notifications = await openNotifications(server, client, { token: undefined, headers });
      const presence = await openPresence(server, client, { token: undefined, headers });
      await closeAll(chat, notifications.socket, presence.socket);
    });
  });

  describe('refusals: one error frame, then the close code', () => {
    let client: TestUser;
    let outsider: TestUser;
    let consultationId: string;
    beforeAll(async () => {
      const made = await createConsultation(server);
      client = made.client;
      consultationId = made.consultation.id;
      outsider = await createUser(server);
    });

    it.each(['/ws/unknown/', '/ws/', '/ws/chat/', '/ws/chat', '/ws/notifications/extra', '/api/users/me', '/'])(
      'unknown path %s → not_found, close 4404',
      async (path) => {
        await expectRefused(`${server.wsUrl}${path}`, { token: client.token }, 4404, 'not_found');
      },
    );

    it('a path that extends the chat URL is unknown too', async () => {
      await expectRefused(`${chatUrl(server, consultationId)}messages`, { token: client.token }, 4404, 'not_found');
    });

    it.each(['not-a-uuid', '12345', `${randomUUID()}x`])(
      'malformed consultation id %s → validation_failed, close 4400',
      async (id) => {
        await expectRefused(chatUrl(server, id), { token: client.token }, 4400, 'validation_failed');
      },
    );

    it('unknown consultation → not_found, close 4404', async () => {
      await expectRefused(chatUrl(server, randomUUID()), { token: client.token }, 4404, 'not_found');
    });

    it('not a participant → forbidden, close 4403 (and the outsider is fine elsewhere)', async () => {
      await expectRefused(chatUrl(server, consultationId), { token: outsider.token }, 4403, 'forbidden');
      const { socket } = await openNotifications(server, outsider);
      await socket.close();
    });

    const endpoints: [string, () => string][] = [
      ['chat', () => chatUrl(server, consultationId)],
      ['notifications', () => notificationsUrl(server)],
      ['presence', () => presenceUrl(server)],
    ];

    it.each(endpoints)('%s: missing token → unauthorized, close 4401', async (_name, url) => {
      await expectRefused(url(), {}, 4401, 'unauthorized');
    });

    it.each(endpoints)('%s: invalid tokens via ?token= and via the header → 4401', async (_name, url) => {
      const forged = mintToken({ sub: client.id }, { secret: 'another-secret-another-secret-0123456789' });
      const expired = mintToken({ sub: client.id, exp: nowSeconds() - 5 });
      const unknownUser = mintToken({ sub: randomUUID() });
      for (const token of ['garbage', forged, expired, unknownUser]) {
        await expectRefused(url(), { token }, 4401, 'unauthorized');
        await expectRefused(url(), { headers: { authorization: `Bearer ${token}` } }, 4401, 'unauthorized');
      }
      await expectRefused(url(), { headers: { authorization: 'Basic abc' } }, 4401, 'unauthorized');
    });

    it('the 21st open connection of one user → too_many_connections, close 4429; a freed slot is usable again', async () => {
      const { consultation, client: user } = await createConsultation(server);
      const open: TestSocket[] = [];
      // 20 across all three endpoints: the cap is per user, not per endpoint.
      for (let i = 0; i < 20; i++) {
        const kind = i % 3;
        if (kind === 0) open.push(await openChat(server, consultation.id, user));
        else if (kind === 1) open.push((await openNotifications(server, user)).socket);
        else open.push((await openPresence(server, user)).socket);
      }
      await expectRefused(notificationsUrl(server), { token: user.token }, 4429, 'too_many_connections');
      await expectRefused(chatUrl(server, consultation.id), { token: user.token }, 4429, 'too_many_connections');
      // Someone else is not affected by this user's count.
      const other = await openNotifications(server, outsider);
      await other.socket.close();
      await open.pop()!.close();
      // The server frees the slot when it has handled the close: retry until it has.
      const { value: again } = await waitFor('the freed slot', async () => {
        const socket = await connect(presenceUrl(server), { token: user.token });
        if ((await socket.next()).type === 'connection_established') return socket;
        await socket.close();
        return undefined;
      });
      open.push(again);
      await closeAll(...open);
    });

    it('a burst of simultaneous upgrades of one user cannot overshoot the cap', async () => {
      // Its own server with a cap of 3: admissions of a burst overlap (on PostgreSQL at least) only if the cap is small.
      const small = await startTestServer({ WS_MAX_CONNECTIONS_PER_USER: '3' });
      try {
        const { consultation, client: user } = await createConsultation(small);
        // Chat admission looks the consultation up after the count: the widest window for a race.
        const sockets = await Promise.all(
          Array.from({ length: 25 }, (_, i) =>
            connect(i % 2 ? chatUrl(small, consultation.id) : notificationsUrl(small), { token: user.token }),
          ),
        );
        // Each is either admitted or refused: its first frame says which.
        await Promise.all(sockets.map((socket) => socket.next()));
        const accepted = sockets.filter((socket) => socket.all('connection_established').length === 1);
        const refused = sockets.filter((socket) => !accepted.includes(socket));
        expect(accepted).toHaveLength(3);
        for (const socket of refused) {
          expect(socket.frames).toEqual([errorFrame('too_many_connections')]);
          expect((await socket.closed).code).toBe(4429);
        }
        await closeAll(...sockets);
      } finally {
        await small.close();
      }
    });
  });

  describe('the published limits are the defaults', () => {
    it('timeouts, payload and connection cap as published and in protocol.md', () => {
      expect(server.config.ws).toMatchObject({
        pingIntervalMs: 25_000,
        idleTimeoutMs: 60_000,
        maxConnectionsPerUser: 20,
        maxPayloadBytes: 64 * 1024,
        typingTimeoutMs: 6000,
      });
      expect(server.config.presence.graceMs).toBe(5000);
      expect(server.config.rateLimit).toMatchObject({ perMinute: 300, windowMs: 60_000 });
    });

    it('300 frames a minute pass; the 301st is rate_limited', async () => {
      const user = await createUser(server);
      const { socket } = await openPresence(server, user);
      for (let i = 0; i < 300; i++) socket.send({ type: 'ping' });
      for (let i = 0; i < 300; i++) expect(await socket.next()).toEqual({ type: 'pong' });
      socket.send({ type: 'ping' });
      expect(await socket.next()).toEqual(errorFrame('rate_limited', { retry_after_ms: expect.any(Number) }));
      await socket.close();
    });
  });

  it('tokens never appear in the logs', async () => {
    const { consultation, client } = await createConsultation(server);
    const chat = await openChat(server, consultation.id, client);
    chat.send({ type: 'auth', token: client.token });
    await chat.next('auth_ok');
    await chat.close();
    const expired = mintToken({ sub: client.id, exp: nowSeconds() - 5 });
    await expectRefused(presenceUrl(server), { token: expired }, 4401, 'unauthorized');
    expect((await http(server.httpUrl, 'GET', '/api/users/me', { token: client.token })).status).toBe(200);
    const logs = server.logs.join('\n');
    for (const token of [client.token, expired]) expect(logs).not.toContain(token.split('.')[2]);
  });

  describe('app-level ping', () => {
    it('{"type":"ping"} → {"type":"pong"} on all three endpoints', async () => {
      const { consultation, client } = await createConsultation(server);
      const chat = await openChat(server, consultation.id, client);
      const { socket: notifications } = await openNotifications(server, client);
      const { socket: presence } = await openPresence(server, client);
      for (const socket of [chat, notifications, presence]) {
        socket.send({ type: 'ping' });
        expect(await socket.next()).toEqual({ type: 'pong' });
        // A protocol ping as the marker: an app-level one would be answered by a pong too.
        await socket.expectSilence(undefined, { marker: 'control' });
      }
      await closeAll(chat, notifications, presence);
    });
  });

  describe('in-band auth renewal', () => {
    it('a fresh token for the same user → auth_ok with its expiry', async () => {
      const user = await createUser(server);
      const { socket } = await openNotifications(server, user);
      const login = await http(server.httpUrl, 'POST', '/api/auth/login', {
        body: { email: user.email, password: user.password },
      });
      expect(login.status).toBe(200);
      socket.send({ type: 'auth', token: login.body.access_token });
      const exp = decodeClaims(login.body.access_token as string).exp as number;
      expect(await socket.next()).toEqual({ type: 'auth_ok', expires_at: new Date(exp * 1000).toISOString() });
      await socket.close();
    });

    it("another user's token, an invalid one or an expired one → unauthorized, connection unchanged", async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const chat = await openChat(server, consultation.id, client);
      const expired = mintToken({ sub: client.id, exp: nowSeconds() - 5 });
      for (const token of [numerologist.token, 'not-a-jwt', expired]) {
        chat.send({ type: 'auth', token });
        expect(await chat.next()).toEqual(errorFrame('unauthorized'));
      }
      chat.send({ type: 'auth' });
      expect(await chat.next()).toEqual(errorFrame('validation_failed'));
      // Still open and still the same user: a message is sent as the client.
      chat.send({ type: 'chat_message', message: 'still me' });
      expect((await chat.next('chat_message')).data.sender_id).toBe(client.id);
      await chat.close();
    });

    it('at the token’s exp the server sends unauthorized and closes 4401; a connection renewed before stays open', async () => {
      const [expiring, renewing] = [await createUser(server), await createUser(server)];
      const exp = nowSeconds() + 2;
      const lapsed = await connect(presenceUrl(server), {
        token: mintToken({ sub: expiring.id, exp, sid: sidOf(expiring.token) }),
      });
      const renewed = await connect(notificationsUrl(server), {
        token: mintToken({ sub: renewing.id, exp, sid: sidOf(renewing.token) }),
      });
      await lapsed.next('presence_state');
      await renewed.next('unread_count');
      renewed.send({ type: 'auth', token: renewing.token });
      await renewed.next('auth_ok');

      const closed = await withTimeout(lapsed.closed, 4000, 'expiry close');
      expect(closed.code).toBe(4401);
      expect(lapsed.frames.at(-1)).toEqual(errorFrame('unauthorized'));

      // The lapsed close is the server's expiry sweep past exp; the same pass closes every connection
      // still on that exp at once, so a renewed one that answers after it is one the renewal saved.
      renewed.send({ type: 'ping' });
      expect(await renewed.next()).toEqual({ type: 'pong' });
      await renewed.close();
    });
  });
});
