import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ChatReadMarkerEntity } from '@numerai/chat';
import { createConsultation, createUser } from '../support/factories';
import { http } from '../support/http';
import { expectError } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { waitFor } from '../support/wait-for';
import { connect, TestSocket } from '../support/ws-client';
import {
  chatUrl,
  closeAll,
  errorFrame,
  history,
  textHistory,
  ISO,
  messageData,
  notificationsOf,
  openChat,
  say,
  sleep,
} from './helpers';

const TYPING_TIMEOUT_MS = 700;

/** `/ws/chat/{consultation_id}/` between the two participants, with an outsider watching their own chat. */
describe('ws: chat', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ WS_TYPING_TIMEOUT_MS: String(TYPING_TIMEOUT_MS) });
  });
  afterAll(() => server.close());

  /** A consultation, plus a second one of the same numerologist with an outsider (a chat nobody here may see). */
  async function setup() {
    const made = await createConsultation(server);
    const outsider = await createUser(server);
    const elsewhere = await createConsultation(server, { client: outsider, numerologist: made.numerologist });
    const outsiderChat = await openChat(server, elsewhere.consultation.id, outsider);
    return { ...made, outsider, elsewhere: elsewhere.consultation, outsiderChat };
  }

  describe('chat_message', () => {
    it('goes to every connection of both participants, the sender’s own included, with client_id echoed', async () => {
      const { consultation, client, numerologist, outsiderChat } = await setup();
      const a1 = await openChat(server, consultation.id, client);
      const a2 = await openChat(server, consultation.id, client);
      const b1 = await openChat(server, consultation.id, numerologist);
      const b2 = await openChat(server, consultation.id, numerologist);
      const before = Date.now();
      a1.send({ type: 'chat_message', message: 'Hello, how can I help?', client_id: 'c-1' });
      const expected = {
        type: 'chat_message',
        data: messageData({
          sender_id: client.id,
          sender_name: client.name,
          content: 'Hello, how can I help?',
          client_id: 'c-1',
        }),
      };
      const frames = [await a1.next(), await a2.next(), await b1.next(), await b2.next()];
      for (const frame of frames) expect(frame).toEqual(expected);
      expect(new Set(frames.map((f) => JSON.stringify(f))).size).toBe(1);
      const data = (frames[0] as { data: { created_at: string } }).data;
      expect(Date.parse(data.created_at)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(data.created_at)).toBeLessThanOrEqual(Date.now() + 1000);
      await Promise.all([a1, a2, b1, b2].map((s) => s.expectSilence()));
      await outsiderChat.expectSilence();
      expect(outsiderChat.frames).toHaveLength(1); // only its connection_established
      await closeAll(a1, a2, b1, b2, outsiderChat);
    });

    it('without client_id the data carries exactly the published keys; the other side can answer', async () => {
      const { consultation, client, numerologist, outsiderChat } = await setup();
      const a = await openChat(server, consultation.id, client);
      const b = await openChat(server, consultation.id, numerologist);
      a.send({ type: 'chat_message', message: 'Hello!' });
      const got = await b.next();
      expect(got).toEqual({ type: 'chat_message', data: messageData({ sender_id: client.id, content: 'Hello!' }) });
      expect(Object.keys((got as { data: object }).data).sort()).toEqual(
        ['content', 'created_at', 'id', 'message_type', 'sender_id', 'sender_name', 'seq'].sort(),
      );
      expect(await a.next()).toEqual(got); // the sender's own echo
      b.send({ type: 'chat_message', message: 'Hi, I am your numerologist' });
      const reply = messageData({
        sender_id: numerologist.id,
        sender_name: numerologist.name,
        content: 'Hi, I am your numerologist',
      });
      expect(await a.next()).toEqual({ type: 'chat_message', data: reply });
      expect(await b.next()).toEqual({ type: 'chat_message', data: reply });
      // The numerologist's chat with the outsider hears none of it.
      await outsiderChat.expectSilence();
      await closeAll(a, b, outsiderChat);
    });

    it('keeps the order of sending, and is broadcast only once stored', async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const a = await openChat(server, consultation.id, client);
      const b = await openChat(server, consultation.id, numerologist);
      const texts = Array.from({ length: 8 }, (_, i) => `message ${i}`);
      for (const text of texts) a.send({ type: 'chat_message', message: text });
      const received = [];
      for (let i = 0; i < texts.length; i++) received.push((await b.next('chat_message')).data);
      expect(received.map((m) => m.content)).toEqual(texts);
      // Every one is in the history already, in the same order (history is newest first).
      const stored = await textHistory(server, numerologist, consultation.id);
      expect(stored.map((m) => m.id).reverse()).toEqual(received.map((m) => m.id));
      await closeAll(a, b);
    });

    it("say() returns the sender's own echo even when the other participant's message came first", async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const a = await openChat(server, consultation.id, client);
      const b = await openChat(server, consultation.id, numerologist);
      b.send({ type: 'chat_message', message: 'first, from the numerologist' });
      await waitFor("the numerologist's message at the client", () =>
        a.frames.some((frame) => frame.type === 'chat_message'),
      );
      const mine = await say(a, 'then mine');
      expect(mine).toEqual(expect.objectContaining({ sender_id: client.id, content: 'then mine' }));
      // What overtook the echo is still the client's next chat_message.
      expect((await a.next('chat_message')).data.content).toBe('first, from the numerologist');
      await a.expectSilence('chat_message');
      await closeAll(a, b);
    });

    it('the same client_id is stored once: a resend (even after reconnecting) returns the stored message to that socket only', async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const a = await openChat(server, consultation.id, client);
      const b = await openChat(server, consultation.id, numerologist);
      const original = await say(a, 'only once', 'retry-1');
      expect(await b.next('chat_message')).toEqual({ type: 'chat_message', data: original });
      a.send({ type: 'chat_message', message: 'only once', client_id: 'retry-1' });
      expect(await a.next()).toEqual({ type: 'chat_message', data: original });
      await a.close();
      const again = await openChat(server, consultation.id, client);
      again.send({ type: 'chat_message', message: 'only once (resent)', client_id: 'retry-1' });
      expect(await again.next()).toEqual({ type: 'chat_message', data: original });
      await b.expectSilence();
      expect(await textHistory(server, client, consultation.id)).toEqual([original]);
      // The key is per sender and per consultation.
      const fromOther = await say(b, 'mine', 'retry-1');
      expect(fromOther.id).not.toBe(original.id);
      expect(await textHistory(server, client, consultation.id)).toHaveLength(2);
      await closeAll(again, b);
    });

    it('a burst of resends with one client_id stores one message', async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const a = await openChat(server, consultation.id, client);
      const b = await openChat(server, consultation.id, numerologist);
      for (let i = 0; i < 5; i++) a.send({ type: 'chat_message', message: 'burst', client_id: 'same' });
      const echoes = [];
      for (let i = 0; i < 5; i++) echoes.push((await a.next('chat_message')).data.id);
      expect(new Set(echoes).size).toBe(1);
      await b.next('chat_message');
      await b.expectSilence('chat_message');
      expect(await textHistory(server, client, consultation.id)).toHaveLength(1);
      await closeAll(a, b);
    });
  });

  describe('REST history GET /api/consultations/:id/messages', () => {
    it('newest first, each item exactly a chat_message data; before/limit paging with next_before', async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const a = await openChat(server, consultation.id, client);
      // The oldest is the booking's system message.
      const booked = await history(server, client, consultation.id);
      const sent = [];
      for (let i = 0; i < 5; i++) sent.push(await say(a, `m${i}`, i === 2 ? 'keyed' : undefined));
      const newestFirst = [...sent].reverse().concat(booked);
      const get = (query: string) =>
        http(server.httpUrl, 'GET', `/api/consultations/${consultation.id}/messages${query}`, {
          token: numerologist.token,
        });
      const all = await get('');
      expect(all.status).toBe(200);
      expect(all.body).toEqual({ items: newestFirst, next_before: null });
      const page1 = await get('?limit=2');
      expect(page1.body).toEqual({ items: newestFirst.slice(0, 2), next_before: newestFirst[1].id });
      const page2 = await get(`?limit=2&before=${page1.body.next_before}`);
      expect(page2.body).toEqual({ items: newestFirst.slice(2, 4), next_before: newestFirst[3].id });
      const page3 = await get(`?limit=2&before=${page2.body.next_before}`);
      expect(page3.body).toEqual({ items: newestFirst.slice(4), next_before: null });
      expectError(await get('?limit=101'), 400, 'limit');
      expectError(await get('?limit=0'), 400, 'limit');
      expectError(await get('?before=nope'), 400, 'before');
      expectError(await get(`?before=${randomUUID()}`), 404);
      await a.close();
    });

    it('404 for an outsider and for an unknown consultation, 400 naming a malformed id or query, 401 without a token', async () => {
      const { consultation, outsider } = await setup();
      const path = `/api/consultations/${consultation.id}/messages`;
      expectError(await http(server.httpUrl, 'GET', path, { token: outsider.token }), 404);
      expectError(
        await http(server.httpUrl, 'GET', `/api/consultations/${randomUUID()}/messages`, { token: outsider.token }),
        404,
      );
      // Each 400 names the field (issue 17).
      const bad = (query: string) => http(server.httpUrl, 'GET', query, { token: outsider.token });
      expectError(await bad('/api/consultations/abc/messages'), 400, /\bid must be a UUID\b/);
      expectError(await bad(`${path}?limit=abc`), 400, 'limit');
      expectError(await bad(`${path}?cursor=1`), 400, 'cursor');
      expectError(await http(server.httpUrl, 'GET', path), 401);
    });
  });

  describe('typing', () => {
    /**
     * Asserts that `socket` hears no typing_indicator from now until a typing timeout started now
     * has run out: the outsider types in the numerologist's other consultation, and once its
     * automatic false reached the numerologist there, every typing timeout that started before it
     * has run out too; a marker on `socket` then brings in whatever they sent it.
     */
    async function expectNoTypingForATimeout(
      { outsiderChat, elsewhere, numerologist }: Awaited<ReturnType<typeof setup>>,
      socket: TestSocket,
    ): Promise<void> {
      const heard = socket.all('typing_indicator').length;
      const watcher = await openChat(server, elsewhere.id, numerologist);
      outsiderChat.send({ type: 'typing', is_typing: true });
      expect((await watcher.next('typing_indicator')).is_typing).toBe(true);
      expect((await watcher.next('typing_indicator', TYPING_TIMEOUT_MS * 10)).is_typing).toBe(false);
      await socket.expectSilence('typing_indicator');
      expect(socket.all('typing_indicator').slice(heard)).toEqual([]);
      await watcher.close();
    }

    it('typing_indicator goes only to the other participant, not to the sender’s other tabs', async () => {
      const { consultation, client, numerologist, outsiderChat } = await setup();
      const a1 = await openChat(server, consultation.id, client);
      const a2 = await openChat(server, consultation.id, client);
      const b1 = await openChat(server, consultation.id, numerologist);
      const b2 = await openChat(server, consultation.id, numerologist);
      a1.send({ type: 'typing', is_typing: true });
      const on = { type: 'typing_indicator', user_id: client.id, user_name: client.name, is_typing: true };
      expect(await b1.next()).toEqual(on);
      expect(await b2.next()).toEqual(on);
      a1.send({ type: 'typing', is_typing: false });
      expect(await b1.next()).toEqual({ ...on, is_typing: false });
      expect(await b2.next()).toEqual({ ...on, is_typing: false });
      await Promise.all([a1.expectSilence(), a2.expectSilence()]);
      expect(a1.all('typing_indicator')).toEqual([]);
      expect(a2.all('typing_indicator')).toEqual([]);
      expect(outsiderChat.all('typing_indicator')).toEqual([]);
      // And the other way round.
      b2.send({ type: 'typing', is_typing: true });
      expect(await a1.next()).toEqual({
        type: 'typing_indicator',
        user_id: numerologist.id,
        user_name: numerologist.name,
        is_typing: true,
      });
      expect((await a2.next()).type).toBe('typing_indicator');
      await b1.expectSilence('typing_indicator');
      await closeAll(a1, a2, b1, b2, outsiderChat);
    });

    it(`is_typing:false is sent automatically ${TYPING_TIMEOUT_MS} ms after the last is_typing:true`, async () => {
      const made = await setup();
      const { consultation, client, numerologist } = made;
      const a = await openChat(server, consultation.id, client);
      const b = await openChat(server, consultation.id, numerologist);
      a.send({ type: 'typing', is_typing: true });
      expect((await b.next('typing_indicator')).is_typing).toBe(true);
      // The scenario, not a wait for anything: the user pauses for half the timeout, then types on.
      await sleep(TYPING_TIMEOUT_MS / 2);
      // A second true restarts the clock.
      const restartedAt = Date.now();
      a.send({ type: 'typing', is_typing: true });
      expect((await b.next('typing_indicator')).is_typing).toBe(true);
      const off = await b.next('typing_indicator', TYPING_TIMEOUT_MS * 3);
      const elapsed = Date.now() - restartedAt;
      expect(off).toEqual({ type: 'typing_indicator', user_id: client.id, user_name: client.name, is_typing: false });
      expect(elapsed).toBeGreaterThanOrEqual(TYPING_TIMEOUT_MS - 50);
      // Only a loose upper bound: a loaded machine may run the timer late, never early.
      expect(elapsed).toBeLessThan(TYPING_TIMEOUT_MS * 5);
      // Exactly one automatic false: a typing timeout started after it runs out, and nothing more came here.
      await expectNoTypingForATimeout(made, b);
      await a.expectSilence('typing_indicator');
      await closeAll(a, b, made.outsiderChat);
    });

    it('is_typing:false is sent when the typing user’s last chat connection closes (not before)', async () => {
      const made = await setup();
      const { consultation, client, numerologist } = made;
      const a1 = await openChat(server, consultation.id, client);
      const a2 = await openChat(server, consultation.id, client);
      const b = await openChat(server, consultation.id, numerologist);
      a1.send({ type: 'typing', is_typing: true });
      expect((await b.next('typing_indicator')).is_typing).toBe(true);
      await a1.close();
      await b.expectSilence('typing_indicator');
      // Restart the clock just before closing: a false from the timeout could come no sooner than
      // TYPING_TIMEOUT_MS after this (timers never fire early), one from the close comes at once.
      const restartedAt = Date.now();
      a2.send({ type: 'typing', is_typing: true });
      expect((await b.next('typing_indicator')).is_typing).toBe(true);
      await a2.close();
      expect(await b.next('typing_indicator')).toEqual({
        type: 'typing_indicator',
        user_id: client.id,
        user_name: client.name,
        is_typing: false,
      });
      expect(Date.now() - restartedAt).toBeLessThan(TYPING_TIMEOUT_MS);
      // The typing timeout was cleared with it: one started after the close runs out, and no second false came.
      await expectNoTypingForATimeout(made, b);
      await closeAll(b, made.outsiderChat);
    });

    it('closing a chat without typing sends nothing', async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const a = await openChat(server, consultation.id, client);
      const b = await openChat(server, consultation.id, numerologist);
      await a.close();
      await b.expectSilence();
      await b.close();
    });
  });

  describe('read_receipt', () => {
    it('a read-up-to marker: pushed to the other participant and the reader’s other devices, never backwards, persisted', async () => {
      const { consultation, client, numerologist, outsiderChat } = await setup();
      const a1 = await openChat(server, consultation.id, client);
      const a2 = await openChat(server, consultation.id, client);
      const b1 = await openChat(server, consultation.id, numerologist);
      const b2 = await openChat(server, consultation.id, numerologist);
      const m1 = await say(b1, 'one');
      const m2 = await say(b1, 'two');
      const m3 = await say(b1, 'three');
      for (const socket of [a1, a2, b2]) for (let i = 0; i < 3; i++) await socket.next('chat_message');

      const before = Date.now();
      a1.send({ type: 'read_receipt', message_id: m2.id });
      const receipt = {
        type: 'read_receipt',
        message_id: m2.id,
        user_id: client.id,
        read_at: expect.stringMatching(ISO),
        seq: m2.seq,
      };
      const pushed = [await b1.next(), await b2.next(), await a2.next()];
      for (const frame of pushed) expect(frame).toEqual(receipt);
      const readAt = (pushed[0] as { read_at: string }).read_at;
      expect(Date.parse(readAt)).toBeGreaterThanOrEqual(before - 1000);
      await a1.expectSilence();
      expect(a1.all('read_receipt')).toEqual([]);
      expect(outsiderChat.all('read_receipt')).toEqual([]);

      const marker = () =>
        server.app
          .get(DataSource)
          .getRepository(ChatReadMarkerEntity)
          .findOneBy({ consultationId: consultation.id, userId: client.id });
      expect(await marker()).toMatchObject({ lastReadMessageId: m2.id, lastReadSeq: m2.seq });

      // Backwards and repeated receipts are accepted silently and change nothing.
      a2.send({ type: 'read_receipt', message_id: m1.id });
      a1.send({ type: 'read_receipt', message_id: m2.id });
      await Promise.all([a1, a2, b1, b2].map((s) => s.expectSilence()));
      expect(await marker()).toMatchObject({ lastReadMessageId: m2.id });

      // A new connection sees the persisted marker: still no moving backwards.
      const a3 = await openChat(server, consultation.id, client);
      a3.send({ type: 'read_receipt', message_id: m1.id });
      await b1.expectSilence();

      // Forward again, from another device.
      a3.send({ type: 'read_receipt', message_id: m3.id });
      expect(await b1.next()).toEqual({ ...receipt, message_id: m3.id, seq: m3.seq });
      expect(await a1.next()).toEqual({ ...receipt, message_id: m3.id, seq: m3.seq });
      await a3.expectSilence();
      expect(await marker()).toMatchObject({ lastReadMessageId: m3.id, lastReadSeq: m3.seq });

      // The numerologist's marker is their own.
      b1.send({ type: 'read_receipt', message_id: m1.id });
      expect(await a1.next()).toEqual({ ...receipt, message_id: m1.id, user_id: numerologist.id, seq: m1.seq });
      await closeAll(a1, a2, a3, b1, b2, outsiderChat);
    });
  });

  describe('consultation_closed', () => {
    it.each([
      ['completed', 'numerologist'],
      ['cancelled', 'client'],
    ] as const)(
      'once %s (PATCH by the %s) chat_message is consultation_closed and nothing is stored',
      async (status, actor) => {
        const { consultation, client, numerologist } = await createConsultation(server);
        const a = await openChat(server, consultation.id, client);
        const b = await openChat(server, consultation.id, numerologist);
        const kept = await say(a, 'before the end'); // status is cached by now: the change must reach the cache
        await b.next('chat_message');
        const patch = await http(server.httpUrl, 'PATCH', `/api/consultations/${consultation.id}`, {
          token: (actor === 'client' ? client : numerologist).token,
          body: { status },
        });
        expect(patch.status).toBe(200);
        // The closing step's system message is still written and delivered; then the chat is read-only.
        const closing = (await a.next('chat_message')).data;
        expect(closing).toMatchObject({ message_type: 'system', event: `consultation_${status}` });
        expect(await b.next('chat_message')).toEqual({ type: 'chat_message', data: closing });
        a.send({ type: 'chat_message', message: 'too late', client_id: 'late-1' });
        expect(await a.next()).toEqual(errorFrame('consultation_closed', { ref: 'late-1' }));
        b.send({ type: 'chat_message', message: 'me neither' });
        expect(await b.next()).toEqual(errorFrame('consultation_closed'));
        await Promise.all([a.expectSilence(), b.expectSilence()]);
        expect(await textHistory(server, client, consultation.id)).toEqual([kept]);
        await closeAll(a, b);
        // The chat stays readable: connecting works, sending does not.
        const later = await openChat(server, consultation.id, numerologist);
        later.send({ type: 'chat_message', message: 'still closed' });
        expect(await later.next()).toEqual(errorFrame('consultation_closed'));
        await later.close();
        expect(await textHistory(server, client, consultation.id)).toEqual([kept]);
        expect((await notificationsOf(server, client)).filter((n) => n.notification_type === 'chat_message')).toEqual(
          [],
        );
      },
    );

    it('an active consultation is open for chat', async () => {
      const { consultation, client, numerologist } = await createConsultation(server, { status: 'active' });
      const a = await openChat(server, consultation.id, client);
      const b = await openChat(server, consultation.id, numerologist);
      await say(a, 'active and open');
      expect((await b.next('chat_message')).data.content).toBe('active and open');
      await closeAll(a, b);
    });
  });

  describe('catching up with ?last_message_id=', () => {
    it('replays what came after, then replay_complete, then continues live with no duplicate', async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const b = await openChat(server, consultation.id, numerologist);
      const sent = [];
      for (let i = 0; i < 4; i++) sent.push(await say(b, `n${i}`));
      const socket = await connect(chatUrl(server, consultation.id), {
        token: client.token,
        query: { last_message_id: sent[0].id },
      });
      expect(await socket.next()).toEqual({
        type: 'connection_established',
        message: 'Connected to chat',
        consultation_id: consultation.id,
      });
      for (const message of sent.slice(1)) expect(await socket.next()).toEqual({ type: 'chat_message', data: message });
      expect(await socket.next()).toEqual({ type: 'replay_complete', count: 3, has_more: false });
      const live = await say(b, 'live');
      expect(await socket.next()).toEqual({ type: 'chat_message', data: live });
      await socket.expectSilence();
      await closeAll(socket, b);
    });

    it('catching up while the other side keeps sending: every message exactly once, in order', async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const b = await openChat(server, consultation.id, numerologist);
      const first = await say(b, 'before');
      const total = 40;
      for (let i = 0; i < total; i++) b.send({ type: 'chat_message', message: `stream ${i}` });
      const socket = await connect(chatUrl(server, consultation.id), {
        token: client.token,
        query: { last_message_id: first.id },
      });
      const sent = [];
      for (let i = 0; i < total; i++) sent.push((await b.next('chat_message')).data.id);
      const got: string[] = [];
      let replayed = -1;
      while (got.length < total) {
        const frame = await socket.next();
        if (frame.type === 'replay_complete') replayed = got.length;
        else if (frame.type === 'chat_message') got.push(frame.data.id);
      }
      // When everything made it into the replay, replay_complete is the frame after the last message.
      if (replayed < 0 && (await socket.next()).type === 'replay_complete') replayed = got.length;
      expect(got).toEqual(sent);
      expect(replayed).toBeGreaterThanOrEqual(0);
      expect(socket.all('replay_complete')).toEqual([{ type: 'replay_complete', count: replayed, has_more: false }]);
      await socket.expectSilence('chat_message');
      await closeAll(socket, b);
    });

    it('the newest id replays nothing; an unknown or foreign id is not_found with no replay', async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const other = await createConsultation(server);
      const b = await openChat(server, consultation.id, numerologist);
      const last = await say(b, 'latest');
      const o = await openChat(server, other.consultation.id, other.client);
      const foreign = await say(o, 'elsewhere');

      const upToDate = await openChat(server, consultation.id, client, { query: { last_message_id: last.id } });
      expect(await upToDate.next()).toEqual({ type: 'replay_complete', count: 0, has_more: false });

      for (const id of [randomUUID(), foreign.id, 'not-a-uuid']) {
        const socket = await openChat(server, consultation.id, client, { query: { last_message_id: id } });
        expect(await socket.next()).toEqual(errorFrame('not_found'));
        await socket.expectSilence();
        // Still a live connection.
        socket.send({ type: 'ping' });
        expect(await socket.next()).toEqual({ type: 'pong' });
        await socket.close();
      }
      await closeAll(b, o, upToDate);
    });
  });
});
