import WebSocket from 'ws';
import { DataSource } from 'typeorm';
import { ChatMessageEntity } from '@numerai/chat';
import { createConsultation, TestUser } from '../support/factories';
import { http } from '../support/http';
import { expectError } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { TestSocket } from '../support/ws-client';
import {
  closeAll,
  errorFrame,
  textHistory,
  openChat,
  openNotifications,
  openPresence,
  sleep,
  withTimeout,
} from './helpers';

const LIMIT = 10;
const WINDOW_MS = 3000;

/** One per-user budget shared by REST requests and WebSocket frames on every endpoint. */
describe('ws: rate limit shared with REST', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: String(LIMIT), RATE_LIMIT_WINDOW_MS: String(WINDOW_MS) });
  });
  afterAll(() => server.close());

  const me = (user: TestUser) => http(server.httpUrl, 'GET', '/api/users/me', { token: user.token });

  async function spendPings(socket: TestSocket, n: number) {
    for (let i = 0; i < n; i++) {
      socket.send({ type: 'ping' });
      expect(await socket.next()).toEqual({ type: 'pong' });
    }
  }

  const limited = () => errorFrame('rate_limited', { retry_after_ms: expect.any(Number) });

  it('part spent over REST, the rest over frames: the next frame is rate_limited and not processed, the next REST call 429', async () => {
    // Creating the consultation spent 1 of the client's budget.
    const { consultation, client, numerologist } = await createConsultation(server, { lifecycle: true });
    for (let i = 0; i < 3; i++) expect((await me(client)).status).toBe(200); // 4
    const a = await openChat(server, consultation.id, client);
    const b = await openChat(server, consultation.id, numerologist);
    await spendPings(a, LIMIT - 4); // 10: the whole budget

    a.send({ type: 'ping' });
    const error = (await a.next()) as { retry_after_ms: number };
    expect(error).toEqual(limited());
    expect(error.retry_after_ms).toBeGreaterThan(0);
    expect(error.retry_after_ms).toBeLessThanOrEqual(WINDOW_MS);

    a.send({ type: 'chat_message', message: 'over the limit', client_id: 'limited-1' });
    expect(await a.next()).toEqual(
      errorFrame('rate_limited', { retry_after_ms: expect.any(Number), ref: 'limited-1' }),
    );
    // The marker: a message of the other participant's, sent after. Messages are stored and
    // delivered in the order the server took them, so the refused one, had it been taken, would
    // be stored and delivered before it.
    b.send({ type: 'chat_message', message: 'marker', client_id: 'marker-1' });
    let delivered = await b.next('chat_message');
    // The consultation's own system messages may come first.
    while (delivered.data.client_id !== 'marker-1') delivered = await b.next('chat_message');
    expect(b.all('chat_message').map((f) => f.data.client_id)).not.toContain('limited-1');
    expect((await textHistory(server, numerologist, consultation.id)).map((m) => m.content)).toEqual(['marker']);

    const rest = await me(client);
    expectError(rest, 429);
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // The other participant's budget is their own.
    await spendPings(b, 1);
    expect((await me(numerologist)).status).toBe(200);
    await closeAll(a, b);
  });

  it('one budget across all three endpoints, and it comes back after retry_after_ms', async () => {
    const { consultation, client } = await createConsultation(server, { lifecycle: true }); // 1
    expect((await me(client)).status).toBe(200); // 2
    const chat = await openChat(server, consultation.id, client);
    const { socket: notifications } = await openNotifications(server, client);
    const { socket: presence } = await openPresence(server, client);
    await spendPings(notifications, 3); // 5
    await spendPings(presence, 3); // 8
    await spendPings(chat, 2); // 10
    presence.send({ type: 'ping' });
    expect(await presence.next()).toEqual(limited());
    notifications.send({ type: 'mark_all_read' });
    expect(await notifications.next()).toEqual(limited());
    chat.send({ type: 'typing', is_typing: true });
    const error = (await chat.next()) as { retry_after_ms: number };
    expect(error).toEqual(limited());
    expectError(await me(client), 429);

    // The subject is retry_after_ms itself: wait what the server asked for (plus timer slack),
    // then the positive outcome: the next frame and the next REST call are served.
    await sleep(error.retry_after_ms + 100);
    chat.send({ type: 'ping' });
    expect(await chat.next()).toEqual({ type: 'pong' });
    expect((await me(client)).status).toBe(200);
    await closeAll(chat, notifications, presence);
  });

  it('sustained abuse: 99 consecutive refused frames keep the connection, the 100th closes it with 4429', async () => {
    const { consultation, client } = await createConsultation(server, { lifecycle: true }); // 1
    const chat = await openChat(server, consultation.id, client);
    await spendPings(chat, LIMIT - 1);
    for (let i = 0; i < 99; i++) chat.send({ type: 'ping' });
    for (let i = 0; i < 99; i++) expect(await chat.next()).toEqual(limited());
    // Still open, nothing else said: a protocol ping marks it without spending a refused frame.
    await chat.expectSilence(undefined, { marker: 'control' });
    expect(chat.all('error')).toHaveLength(99);
    expect(chat.ws.readyState).toBe(WebSocket.OPEN);
    chat.send({ type: 'ping' });
    const closed = await withTimeout(chat.closed, 3000, 'close 4429');
    expect(closed.code).toBe(4429);
    // The close says when to come back: in the last error frame and in the close reason.
    const last = chat.frames.at(-1) as { retry_after_ms: number };
    expect(last).toEqual(errorFrame('rate_limited', { retry_after_ms: expect.any(Number) }));
    expect(last.retry_after_ms).toBeGreaterThan(0);
    expect(last.retry_after_ms).toBeLessThanOrEqual(WINDOW_MS);
    expect(closed.reason).toMatch(/retry after \d+ ms/);
  });

  describe('a 4429 close after a burst (issue 17)', () => {
    let burstServer: TestServer;
    const BUDGET = 300;
    beforeAll(async () => {
      burstServer = await startTestServer({ RATE_LIMIT_PER_MINUTE: String(BUDGET) });
    });
    afterAll(() => burstServer?.close());

    it('every message stored before the close is acknowledged to its sender before the close arrives', async () => {
      const { consultation, client } = await createConsultation(burstServer); // 1 of the budget
      const chat = await openChat(burstServer, consultation.id, client);
      // The whole budget in chat messages, then 100 more (refused), all at once without waiting.
      const total = BUDGET - 1 + 100;
      for (let i = 0; i < total; i++) chat.send({ type: 'chat_message', message: `burst ${i}`, client_id: `b-${i}` });
      const closed = await withTimeout(chat.closed, 15_000, 'close 4429');
      expect(closed.code).toBe(4429);
      expect(closed.reason).toMatch(/retry after \d+ ms/);

      const acknowledged = new Set(chat.all('chat_message').map((frame) => frame.data.client_id));
      // Read straight from the database: the client's budget is spent, and REST would say 429.
      const stored = await burstServer.app
        .get(DataSource)
        .getRepository(ChatMessageEntity)
        .findBy({ consultationId: consultation.id });
      const storedIds = new Set(stored.map((message) => message.clientId ?? undefined));
      expect(storedIds.size).toBeGreaterThan(0);
      expect([...storedIds].filter((id) => !acknowledged.has(id))).toEqual([]);
      expect(chat.frames.at(-1)).toEqual(errorFrame('rate_limited', { retry_after_ms: expect.any(Number) }));
    });
  });
});
