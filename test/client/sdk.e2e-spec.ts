/**
 * The client SDK (libs/client) against the real server: a listening app with its own
 * database (test/support/server.ts), users and consultations made through the REST API, and
 * the SDK over real `ws` sockets. Runs once the gateways are wired into AppModule
 * (describeWithGateways); the same behaviours with staged failures: sdk.protocol-stub.e2e-spec.ts.
 */
import type { INestApplication } from '@nestjs/common';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import type { Endpoint } from '@numerai/protocol';
import { createRootLogger } from '@numerai/logging';
import { createApp } from '../../apps/api/src/bootstrap';
import {
  createChatWebSocket,
  createNotificationsWebSocket,
  createRefreshingTokenSource,
  createPresenceWebSocket,
  nominalDelay,
  type ChatWebSocketOptions,
  type NumerAIWebSocket,
  type WebSocketConstructor,
} from '../../libs/client/src';
import { connected, next, stateTrail } from './support/sdk-frames';
import { waitFor } from '../support/wait-for';
import { createConsultation, createUser, messageHistory, TestUser } from '../support/factories';
import { http } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { decodeClaims } from '../support/rest-helpers';
import { connect } from '../support/ws-client';
import { signInAgain, startShortTokenServer } from './support/short-tokens';
import { describeWithGateways, describeWithPositions, describeWithRefreshTokens } from './support/gateways';

const clients: Array<NumerAIWebSocket<Endpoint>> = [];

function track<T extends NumerAIWebSocket<Endpoint>>(client: T): T {
  clients.push(client);
  return client;
}

/** `ws`, counting and timing every connection attempt the SDK makes. */
function countingWebSocket() {
  const attempts: Array<{ url: URL; at: number }> = [];
  class Counting extends WebSocket {
    constructor(url: string) {
      super(url);
      attempts.push({ url: new URL(url), at: Date.now() });
    }
  }
  return { WebSocket: Counting as unknown as WebSocketConstructor, attempts };
}

/** A port where nothing listens. */
async function deadPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * `ws` with a network switch: `goOffline()` drops the open sockets and sends every new attempt to
 * a dead port until `goOnline()`, so a test decides exactly what happens while the client is away.
 */
async function switchableWebSocket() {
  const dead = await deadPort();
  const open = new Set<WebSocket>();
  const attempts: URL[] = [];
  let offline = false;
  class Switchable extends WebSocket {
    constructor(url: string) {
      const target = new URL(url);
      if (offline) target.port = String(dead);
      super(target);
      attempts.push(target);
      open.add(this);
      this.on('close', () => open.delete(this));
    }
  }
  return {
    WebSocket: Switchable as unknown as WebSocketConstructor,
    attempts,
    goOffline() {
      offline = true;
      for (const socket of open) socket.terminate();
    },
    goOnline() {
      offline = false;
    },
  };
}

/**
 * A chat client on `server` with `token` and `getToken`, connected, that has renewed its token
 * in-band at least once, and then — past `token`'s expiry, when the server would have closed
 * with 4401 — is still on its first connection and still answers.
 */
async function renewsPastExpiry(
  server: TestServer,
  consultationId: string,
  token: string,
  getToken: () => Promise<string | null>,
): Promise<void> {
  const counting = countingWebSocket();
  const ws = track(
    createChatWebSocket(consultationId, token, { baseUrl: server.wsUrl, WebSocket: counting.WebSocket, getToken }),
  );
  const drops: number[] = [];
  ws.onDisconnect((info) => drops.push(info.code));
  const renewed = next(ws, 'auth_ok', () => true, 10_000);
  await connected(ws);
  const ok = await renewed;
  const firstExp = decodeClaims(token).exp as number;
  expect(Date.parse(ok.expires_at)).toBeGreaterThan(firstExp * 1000);
  await waitFor('the first token to expire', () => Date.now() > firstExp * 1000 + 1000, 10_000);
  const pong = next(ws, 'pong');
  ws.send('ping');
  await pong;
  expect(drops).toEqual([]);
  expect(counting.attempts).toHaveLength(1);
}

function finalDisconnect(client: NumerAIWebSocket<Endpoint>) {
  return new Promise<{ code: number; willReconnect: boolean }>((resolve) => {
    const off = client.onDisconnect((info) => {
      if (info.willReconnect) return;
      off();
      resolve(info);
    });
  });
}

/** What the participants wrote, oldest first (not the consultation's own system messages), every page. */
async function history(server: Pick<TestServer, 'httpUrl'>, consultationId: string, user: TestUser) {
  return (await messageHistory(server, user.token, consultationId)).filter((m) => m.message_type !== 'system');
}

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

describeWithGateways('SDK ↔ real server', () => {
  let server: TestServer;
  let options: ChatWebSocketOptions;

  beforeAll(async () => {
    server = await startTestServer();
    options = { baseUrl: server.wsUrl, WebSocket, initialDelayMs: 50 };
  });

  afterAll(async () => {
    await server?.close();
  });

  it('connects, sends and receives between both participants, with typing and read receipts', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    const a = track(createChatWebSocket(consultation.id, client.token, options));
    const b = track(createChatWebSocket(consultation.id, numerologist.token, options));
    await Promise.all([connected(a), connected(b)]);

    const typing = next(b, 'typing_indicator');
    a.send('typing', { is_typing: true });
    expect(await typing).toMatchObject({ user_id: client.id, user_name: client.name, is_typing: true });

    const atB = next(b, 'chat_message');
    const echo = next(a, 'chat_message');
    const { frame, status } = a.send('chat_message', { message: 'Hello!' });
    expect(status).toBe('sent');
    const [received, echoed] = await Promise.all([atB, echo]);
    expect(received.data).toMatchObject({
      content: 'Hello!',
      sender_id: client.id,
      sender_name: client.name,
      message_type: 'text',
      client_id: frame.client_id,
    });
    expect(echoed.data.id).toBe(received.data.id);
    expect(a.lastMessageId).toBe(received.data.id);

    const receipt = next(a, 'read_receipt');
    b.send('read_receipt', { message_id: received.data.id });
    expect(await receipt).toMatchObject({ message_id: received.data.id, user_id: numerologist.id });
  });

  it('does not retry after 4403 (not a participant)', async () => {
    const { consultation } = await createConsultation(server);
    const outsider = await createUser(server);
    const counting = countingWebSocket();
    const ws = track(
      createChatWebSocket(consultation.id, outsider.token, { ...options, WebSocket: counting.WebSocket }),
    );
    const trail = stateTrail(ws);
    const errors: string[] = [];
    ws.on('error', (frame) => errors.push(frame.code));
    expect(await finalDisconnect(ws)).toMatchObject({ code: 4403, willReconnect: false });
    // From its one attempt straight to closed: no retry was ever scheduled.
    expect(trail).toEqual(['closed']);
    expect(counting.attempts).toHaveLength(1);
    expect(ws.state).toBe('closed');
    expect(errors).toHaveLength(1);
  });

  it('does not retry after 4404 (no such consultation) nor 4400 (not a UUID)', async () => {
    const user = await createUser(server);
    for (const [id, code] of [
      ['0b9a3a4e-8d7c-4d2b-9a0e-2f5d1c7e6b11', 4404],
      ['not-a-uuid', 4400],
    ] as const) {
      const counting = countingWebSocket();
      const ws = track(createChatWebSocket(id, user.token, { ...options, WebSocket: counting.WebSocket }));
      const trail = stateTrail(ws);
      expect(await finalDisconnect(ws)).toMatchObject({ code, willReconnect: false });
      expect(trail).toEqual(['closed']);
      expect(counting.attempts).toHaveLength(1);
    }
  });

  it('after 4401 asks getToken() for a fresh token and connects with it; without one it stops', async () => {
    const user = await createUser(server);
    const counting = countingWebSocket();
    const getToken = jest.fn(() => Promise.resolve(user.token));
    const ws = track(
      createNotificationsWebSocket('not-a-jwt', { ...options, WebSocket: counting.WebSocket, getToken }),
    );
    await connected(ws);
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(counting.attempts.map((a) => a.url.searchParams.get('token'))).toEqual(['not-a-jwt', user.token]);

    const stopped = track(createNotificationsWebSocket('not-a-jwt', options));
    expect(await finalDisconnect(stopped)).toMatchObject({ code: 4401, willReconnect: false });
  });

  it('backs off 1×, 2×, 4× the base delay within ±50 %, and stops after the attempt limit', async () => {
    // A port where nothing listens: every attempt fails at once, so only the delays separate them.
    const idle = await startTestServer();
    const deadUrl = idle.wsUrl;
    await idle.close();
    const counting = countingWebSocket();
    const base = 200;
    const ws = track(
      createPresenceWebSocket('token', {
        baseUrl: deadUrl,
        WebSocket: counting.WebSocket,
        initialDelayMs: base,
        maxReconnectAttempts: 3,
      }),
    );
    const trail = stateTrail(ws);
    const gaveUp = finalDisconnect(ws);
    await gaveUp;
    expect(ws.state).toBe('closed');
    expect(counting.attempts).toHaveLength(4); // the first try and 3 retries
    // Three retries, each scheduled from `reconnecting`, then closed: no fourth is scheduled.
    expect(trail).toEqual([...Array(3).fill(['reconnecting', 'connecting']).flat(), 'closed']);
    const gaps = counting.attempts.slice(1).map((attempt, i) => attempt.at - counting.attempts[i].at);
    gaps.forEach((gap, i) => {
      const nominal = nominalDelay(i + 1, { initialDelayMs: base, factor: 2, maxDelayMs: 30_000, jitter: 0.5 });
      expect(gap).toBeGreaterThanOrEqual(nominal * 0.5 - 5);
      // Plus the time a refused connect takes and a busy machine's late timer: only a loose upper
      // bound here, the exact delays are the unit tests' (backoff.spec.ts, with fake timers).
      expect(gap).toBeLessThanOrEqual(nominal * 1.5 + 1000);
    });
  });

  it('a resend of an already-stored client_id is stored once', async () => {
    const { consultation, client } = await createConsultation(server);
    // The first send reached the server but its acknowledgement never came back…
    const raw = await connect(`${server.wsUrl}/ws/chat/${consultation.id}/`, { token: client.token });
    await raw.next('connection_established');
    raw.send({ type: 'chat_message', message: 'only once', client_id: 'retry-key-1' });
    await raw.next('chat_message');
    await raw.close();
    // …so the SDK still has it queued and flushes it with the same client_id on connect.
    const ws = track(createChatWebSocket(consultation.id, client.token, { ...options, autoConnect: false }));
    ws.send('chat_message', { message: 'only once', client_id: 'retry-key-1' });
    ws.send('chat_message', { message: 'after it' });
    ws.connect();
    await waitFor('2 stored messages', async () => (await history(server, consultation.id, client)).length >= 2);
    // A marker sent after them: once it is stored, any second copy would be stored too.
    ws.send('chat_message', { message: 'marker' });
    await waitFor('the marker stored', async () =>
      (await history(server, consultation.id, client)).some((m) => m.content === 'marker'),
    );
    expect((await history(server, consultation.id, client)).map((m) => m.content)).toEqual([
      'only once',
      'after it',
      'marker',
    ]);
  });

  it('catches up from lastMessageId: replays what was missed, then replay_complete', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    const b = track(createChatWebSocket(consultation.id, numerologist.token, options));
    await connected(b);
    const first = next(b, 'chat_message');
    b.send('chat_message', { message: 'seen before leaving' });
    const seenId = (await first).data.id;
    for (const text of ['missed 1', 'missed 2']) {
      const stored = next(b, 'chat_message', (f) => f.data.content === text);
      b.send('chat_message', { message: text });
      await stored;
    }
    const a = track(createChatWebSocket(consultation.id, client.token, { ...options, lastMessageId: seenId }));
    const seen: string[] = [];
    a.on('chat_message', (frame) => seen.push(frame.data.content));
    expect(await next(a, 'replay_complete')).toMatchObject({ type: 'replay_complete', count: 2 });
    expect(seen).toEqual(['missed 1', 'missed 2']);
  });

  it('receives notifications and unread counts, and marks them read', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    const n = track(createNotificationsWebSocket(numerologist.token, options));
    const initial = next(n, 'unread_count');
    await connected(n);
    const before = (await initial).count;
    // A chat message to a participant with no chat connection notifies them.
    const notified = next(n, 'notification');
    const counted = next(n, 'unread_count', (f) => f.count === before + 1);
    const chat = track(createChatWebSocket(consultation.id, client.token, options));
    chat.send('chat_message', { message: 'are you there?' });
    const notification = await notified;
    expect(notification.data).toMatchObject({ notification_type: 'chat_message', is_read: false });
    await counted;
    const decremented = next(n, 'unread_count', (f) => f.count === before);
    n.send('mark_read', { notification_id: notification.data.id });
    await decremented;
  });

  it('notifications resume after a drop: what was created meanwhile arrives once, by replay', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    const network = await switchableWebSocket();
    const n = track(
      createNotificationsWebSocket(numerologist.token, {
        ...options,
        WebSocket: network.WebSocket,
        maxReconnectAttempts: 1000,
      }),
    );
    await connected(n);
    const ids: string[] = [];
    n.on('notification', (frame) => ids.push(frame.data.id));
    const chat = track(createChatWebSocket(consultation.id, client.token, options));
    const live = next(n, 'notification');
    chat.send('chat_message', { message: 'while you are here' });
    const first = (await live).data;

    network.goOffline();
    const away = next(chat, 'chat_message', (f) => f.data.content === 'while you were away');
    chat.send('chat_message', { message: 'while you were away' });
    await away;
    await waitFor('the condition below', async () => {
      const res = await http(server.httpUrl, 'GET', '/api/notifications?limit=10', { token: numerologist.token });
      return (res.body as { items: unknown[] }).items.length === 2;
    });
    const replayed = next(n, 'replay_complete');
    network.goOnline();
    expect(await replayed).toMatchObject({ type: 'replay_complete', count: 1 });
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    const resumedWith = network.attempts[network.attempts.length - 1].searchParams;
    if (first.seq !== undefined) expect(resumedWith.get('last_seq')).toBe(String(first.seq));
    else expect(resumedWith.get('last_notification_id')).toBe(first.id);
  });

  it('sees a contact come online', async () => {
    const { client, numerologist } = await createConsultation(server, { status: 'active' });
    const p = track(createPresenceWebSocket(client.token, options));
    const state = next(p, 'presence_state');
    await connected(p);
    expect((await state).users.map((u) => u.user_id)).not.toContain(numerologist.id);
    const online = next(p, 'user_online', (f) => f.user_id === numerologist.id);
    track(createPresenceWebSocket(numerologist.token, options));
    expect(await online).toMatchObject({ user_id: numerologist.id, user_name: numerologist.name });
  });
});

describeWithGateways('SDK ↔ real server restarted on the same port and database', () => {
  it('delivers messages queued while the server was down exactly once, in order', async () => {
    const server = await startTestServer();
    const port = Number(new URL(server.httpUrl).port);
    let restarted: INestApplication | undefined;
    try {
      const { consultation, client } = await createConsultation(server);
      const ws = track(
        createChatWebSocket(consultation.id, client.token, {
          baseUrl: server.wsUrl,
          WebSocket,
          initialDelayMs: 100,
          backoffFactor: 1.5,
          maxReconnectAttempts: 30,
        }),
      );
      await connected(ws);
      const greeted = next(ws, 'chat_message');
      ws.send('chat_message', { message: 'before the restart' });
      await greeted;

      const down = new Promise<void>((resolve) => {
        const off = ws.onDisconnect(() => {
          off();
          resolve();
        });
      });
      await server.app.close();
      await down;
      for (const text of ['one', 'two', 'three'])
        expect(ws.send('chat_message', { message: text }).status).toBe('queued');

      const quiet = new Writable({ write: (_chunk, _encoding, callback) => callback() });
      restarted = await createApp({ config: server.config, logger: createRootLogger(server.config.logLevel, quiet) });
      await restarted.listen(port, '127.0.0.1');

      await waitFor(
        '4 stored messages',
        async () => (await history(server, consultation.id, client)).length >= 4,
        15_000,
      );
      // A marker sent after them: once it is stored, any resent copy would be stored too.
      ws.send('chat_message', { message: 'marker' });
      await waitFor('the marker stored', async () =>
        (await history(server, consultation.id, client)).some((m) => m.content === 'marker'),
      );
      expect((await history(server, consultation.id, client)).map((m) => m.content)).toEqual([
        'before the restart',
        'one',
        'two',
        'three',
        'marker',
      ]);
      expect(ws.queuedFrames).toHaveLength(0);
      expect(ws.state).toBe('open');
    } finally {
      for (const client of clients.splice(0)) client.close();
      await restarted?.close();
      // The first app is closed already; close() then only drops the database and the files.
      await server.close().catch(() => undefined);
    }
  });
});

describeWithGateways('SDK ↔ real server: the token is renewed in-band before it expires', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startShortTokenServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('asks getToken() before exp, sends auth in-band, and stays on one connection past the first exp', async () => {
    const { consultation, client } = await createConsultation(server);
    const login = signInAgain(server, client);
    const getToken = jest.fn(login);
    await renewsPastExpiry(server, consultation.id, await login(), getToken);
    expect(getToken).toHaveBeenCalled();
  });
});

/**
 * NEEDS THE streams-server BRANCH (issue 13's server side): skipped until the server speaks
 * positions (see describeWithPositions), then runs as is. Uses REPLAY_MAX to bound the replay.
 */
describeWithPositions('SDK ↔ real server: positions (seq), bounded replay, REST paging', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ REPLAY_MAX: '5' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('reconnects chat with last_seq and completes a has_more replay through REST, in order, once', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    const network = await switchableWebSocket();
    const a = track(
      createChatWebSocket(consultation.id, client.token, {
        ...{ baseUrl: server.wsUrl, initialDelayMs: 50 },
        WebSocket: network.WebSocket,
        maxReconnectAttempts: 1000,
      }),
    );
    await connected(a);
    const b = track(createChatWebSocket(consultation.id, numerologist.token, { baseUrl: server.wsUrl, WebSocket }));
    const firstSeen = next(a, 'chat_message');
    b.send('chat_message', { message: 'm1' });
    // Position 1 is the booking's system message.
    expect((await firstSeen).data.seq).toBe(2);
    const seen: number[] = [];
    a.on('chat_message', (frame) => seen.push(frame.data.seq!));

    network.goOffline();
    for (let i = 2; i <= 130; i++) {
      const stored = next(b, 'chat_message', (f) => f.data.content === `m${i}`);
      b.send('chat_message', { message: `m${i}` });
      await stored;
    }
    const replayed = next(a, 'replay_complete');
    network.goOnline();
    expect(await replayed).toEqual({ type: 'replay_complete', count: 5, has_more: true });
    await waitFor('129 messages', () => seen.length >= 129, 10_000);
    expect(seen).toEqual(Array.from({ length: 129 }, (_, i) => i + 3));
    expect(network.attempts[network.attempts.length - 1].searchParams.get('last_seq')).toBe('2');
    expect(a.resumePoint?.seq).toBe(131);
  });
});

/**
 * NEEDS THE sessions BRANCH (issue 17: `POST /api/auth/refresh` with rotating refresh tokens):
 * skipped until the server has it (see describeWithRefreshTokens), then runs as is.
 */
describeWithRefreshTokens('SDK ↔ real server: getToken over the refresh endpoint', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startShortTokenServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('renews in-band through rotating refresh tokens; concurrent callers spend one refresh token once', async () => {
    const { consultation, client } = await createConsultation(server);
    const signIn = await http(server.httpUrl, 'POST', '/api/auth/login', {
      body: { email: client.email, password: client.password },
    });
    const { access_token, refresh_token } = signIn.body as { access_token: string; refresh_token: string };
    expect(typeof refresh_token).toBe('string');
    const answers: Array<string | undefined> = [];
    const tokens = createRefreshingTokenSource({
      baseUrl: server.httpUrl,
      refreshToken: refresh_token,
      onTokens: (answer) => answers.push(answer?.refresh_token),
    });

    // Three callers at once: one request, one answer for all (a second spend would end the session).
    const shared = await Promise.all([tokens.getToken(), tokens.getToken(), tokens.getToken()]);
    expect(new Set(shared).size).toBe(1);
    expect(answers).toHaveLength(1);
    expect(tokens.refreshToken).not.toBe(refresh_token);

    await renewsPastExpiry(server, consultation.id, access_token, tokens.getToken);
    expect(answers.length).toBeGreaterThanOrEqual(2);
    expect(answers.every((answer) => typeof answer === 'string')).toBe(true); // the session never ended
  });
});
