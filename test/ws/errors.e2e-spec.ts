import { randomUUID } from 'node:crypto';
import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { TestSocket } from '../support/ws-client';
import {
  adminNotify,
  closeAll,
  createAdmin,
  errorFrame,
  history,
  textHistory,
  notificationsOf,
  openChat,
  openNotifications,
  openPresence,
  say,
  unreadCount,
  withTimeout,
} from './helpers';

/**
 * protocol.md's "Errors that keep the connection open": every code with the input that
 * causes it, that the connection stays usable, and that no bad frame changes any data.
 */
describe('ws: errors that keep the connection open', () => {
  let server: TestServer;
  let admin: TestUser;
  beforeAll(async () => {
    server = await startTestServer();
    admin = await createAdmin(server);
  });
  afterAll(() => server.close());

  /** A chat between client (a) and numerologist (b), with one stored message. */
  async function chatPair() {
    const { consultation, client, numerologist } = await createConsultation(server);
    const a = await openChat(server, consultation.id, client);
    const b = await openChat(server, consultation.id, numerologist);
    const first = await say(a, 'first');
    await b.next('chat_message');
    return { consultation, client, numerologist, a, b, first };
  }

  /** Sends a frame and expects exactly one error frame back, and nothing else. */
  async function expectError(socket: TestSocket, frame: unknown, code: string, mentions?: string) {
    socket.send(frame);
    const error = await socket.next();
    expect(error).toEqual({ type: 'error', code, message: expect.any(String) });
    if (mentions) expect((error as { message: string }).message).toContain(mentions);
    return error as { message: string };
  }

  async function expectStillUsable(socket: TestSocket) {
    socket.send({ type: 'ping' });
    expect(await socket.next()).toEqual({ type: 'pong' });
  }

  describe('on the chat endpoint', () => {
    it('invalid_json: text that is not JSON', async () => {
      const { a, b } = await chatPair();
      for (const text of ['nope', '{', '{"type":"chat_message",', '', "{'type':'ping'}"]) {
        await expectError(a, text, 'invalid_json');
      }
      await expectStillUsable(a);
      await b.expectSilence();
      await closeAll(a, b);
    });

    it('invalid_json: a binary frame', async () => {
      const { a, b } = await chatPair();
      a.ws.send(Buffer.from(JSON.stringify({ type: 'chat_message', message: 'binary' })), { binary: true });
      expect(await a.next()).toEqual(errorFrame('invalid_json'));
      await expectStillUsable(a);
      await b.expectSilence();
      await closeAll(a, b);
    });

    it('validation_failed: JSON that is not an object with a string type', async () => {
      const { a } = await chatPair();
      for (const text of ['[]', '42', 'null', '"chat_message"', '{}', '{"type":5}', '{"type":null}']) {
        await expectError(a, text, 'validation_failed');
      }
      await expectStillUsable(a);
      await a.close();
    });

    it('unknown_type: a made-up type, server-only types and other endpoints’ types', async () => {
      const { a } = await chatPair();
      for (const frame of [
        { type: 'hello' },
        { type: 'CHAT_MESSAGE', message: 'x' },
        { type: 'pong' },
        { type: 'typing_indicator', is_typing: true },
        { type: 'mark_read', notification_id: randomUUID() },
        { type: 'mark_all_read' },
      ]) {
        await expectError(a, frame, 'unknown_type');
      }
      await a.close();
    });

    it('validation_failed: missing or wrong-typed fields, the message naming the field', async () => {
      const { a, b } = await chatPair();
      const cases: [unknown, string][] = [
        [{ type: 'chat_message' }, 'message'],
        [{ type: 'chat_message', message: 5 }, 'message'],
        [{ type: 'chat_message', message: null }, 'message'],
        [{ type: 'chat_message', message: ['hi'] }, 'message'],
        [{ type: 'chat_message', message: 'hi', client_id: 7 }, 'client_id'],
        [{ type: 'chat_message', message: 'hi', client_id: '' }, 'client_id'],
        [{ type: 'chat_message', message: 'hi', client_id: 'x'.repeat(65) }, 'client_id'],
        [{ type: 'typing' }, 'is_typing'],
        [{ type: 'typing', is_typing: 'yes' }, 'is_typing'],
        [{ type: 'typing', is_typing: 1 }, 'is_typing'],
        [{ type: 'read_receipt' }, 'message_id'],
        [{ type: 'read_receipt', message_id: 'abc' }, 'message_id'],
        [{ type: 'read_receipt', message_id: 42 }, 'message_id'],
        [{ type: 'auth', token: 5 }, 'token'],
      ];
      for (const [frame, field] of cases) await expectError(a, frame, 'validation_failed', field);
      await b.expectSilence();
      await closeAll(a, b);
    });

    it('validation_failed: empty or whitespace-only content, and content over 4000 characters after trimming', async () => {
      const { a, b, client, consultation } = await chatPair();
      await expectError(a, { type: 'chat_message', message: '' }, 'validation_failed', 'message');
      await expectError(a, { type: 'chat_message', message: ' \n\t  ' }, 'validation_failed', 'message');
      await expectError(a, { type: 'chat_message', message: 'x'.repeat(4001) }, 'validation_failed', '4000');
      await expectError(a, { type: 'chat_message', message: ` ${'y'.repeat(4001)} ` }, 'validation_failed', '4000');
      await expectError(a, { type: 'chat_message', message: 'z'.repeat(20_000) }, 'validation_failed', '4000');
      await b.expectSilence('chat_message');
      expect(await textHistory(server, client, consultation.id)).toHaveLength(1);
      // Exactly 4000 after trimming is fine; what is stored is the trimmed text.
      const padded = `  \n${'w'.repeat(4000)}\t  `;
      const stored = await say(a, padded);
      expect(stored.content).toBe('w'.repeat(4000));
      expect((await b.next('chat_message')).data.content).toBe('w'.repeat(4000));
      await closeAll(a, b);
    });

    it('4000 characters as a person counts them (an emoji is one); text with nothing visible is validation_failed', async () => {
      const { a, b } = await chatPair();
      // 4000 emoji: 8000 UTF-16 units, 4000 characters: accepted and stored whole.
      const emoji = '😀'.repeat(4000);
      expect((await say(a, emoji)).content).toBe(emoji);
      expect((await b.next('chat_message')).data.content).toBe(emoji);
      await expectError(a, { type: 'chat_message', message: `${emoji}x` }, 'validation_failed', '4000');
      for (const invisible of [
        '\u200b\u200b',
        '\u200d',
        ' \u2060\ufeff ',
        '\u00a0\u3000',
        '\u3164',
        '\u0301\u0301',
        '\u202e',
      ]) {
        await expectError(a, { type: 'chat_message', message: invisible }, 'validation_failed', 'visible');
      }
      // A visible character among invisible ones is a message.
      expect((await say(a, '\u200b.\u200b')).content).toBe('\u200b.\u200b');
      await closeAll(a, b);
    });

    it('an error answers with ref = the offending frame’s client_id', async () => {
      const { a } = await chatPair();
      a.send({ type: 'chat_message', message: '   ', client_id: 'draft-17' });
      expect(await a.next()).toEqual(errorFrame('validation_failed', { ref: 'draft-17' }));
      a.send({ type: 'chat_message', message: 'x'.repeat(4001), client_id: 'draft-18' });
      expect(await a.next()).toEqual(errorFrame('validation_failed', { ref: 'draft-18' }));
      await a.close();
    });

    it('unknown fields are ignored (the protocol is additive)', async () => {
      const { a, b, client } = await chatPair();
      a.send({ type: 'chat_message', message: 'with extras', extra: { nested: true }, sender_id: randomUUID() });
      const got = await b.next('chat_message');
      expect(got.data.content).toBe('with extras');
      expect(got.data.sender_id).toBe(client.id);
      expect(got.data).not.toHaveProperty('extra');
      await closeAll(a, b);
    });

    it('not_found: a read_receipt for a message of another consultation or an unknown id, worded alike', async () => {
      const { a, b } = await chatPair();
      const other = await chatPair(); // a consultation these two take no part in
      const otherMessage = other.first;
      const foreign = await expectError(a, { type: 'read_receipt', message_id: otherMessage.id }, 'not_found');
      const unknown = await expectError(a, { type: 'read_receipt', message_id: randomUUID() }, 'not_found');
      expect(foreign.message).toBe(unknown.message);
      await b.expectSilence('read_receipt');
      expect(other.a.all('read_receipt')).toEqual([]);
      expect(other.b.all('read_receipt')).toEqual([]);
      await closeAll(a, b, other.a, other.b);
    });

    it('no bad frame changes data, and the process survives all of them', async () => {
      const { a, b, client, numerologist, consultation } = await chatPair();
      const before = await history(server, numerologist, consultation.id);
      const bad: (string | object)[] = [
        'nope',
        '[]',
        { type: 'nope', message: 'x' },
        { type: 'chat_message', message: '' },
        { type: 'chat_message', message: 'x'.repeat(4001) },
        { type: 'chat_message', message: 3 },
        { type: 'chat_message', message: 'ok', client_id: 'y'.repeat(65) },
        { type: 'read_receipt', message_id: randomUUID() },
        { type: 'read_receipt', message_id: 'x' },
        { type: 'typing', is_typing: 'true' },
      ];
      for (const frame of bad) a.send(frame);
      for (let i = 0; i < bad.length; i++) expect((await a.next()).type).toBe('error');
      await b.expectSilence();
      expect(await history(server, numerologist, consultation.id)).toEqual(before);
      expect(await unreadCount(server, numerologist)).toBe(0);
      expect(await notificationsOf(server, client)).toEqual([]);
      expect((await http(server.httpUrl, 'GET', '/health')).status).toBe(200);
      await expectStillUsable(a);
      await closeAll(a, b);
    });
  });

  describe('on the notifications endpoint', () => {
    it('invalid_json, unknown_type and validation_failed', async () => {
      const user = await createUser(server);
      const { socket } = await openNotifications(server, user);
      await expectError(socket, 'not json', 'invalid_json');
      socket.ws.send(Buffer.from('{"type":"mark_all_read"}'), { binary: true });
      expect(await socket.next()).toEqual(errorFrame('invalid_json'));
      for (const frame of [
        { type: 'chat_message', message: 'hi' },
        { type: 'typing', is_typing: true },
        { type: 'x' },
      ]) {
        await expectError(socket, frame, 'unknown_type');
      }
      await expectError(socket, { type: 'mark_read' }, 'validation_failed', 'notification_id');
      await expectError(socket, { type: 'mark_read', notification_id: 12 }, 'validation_failed', 'notification_id');
      await expectError(socket, { type: 'mark_read', notification_id: 'abc' }, 'validation_failed', 'notification_id');
      await expectStillUsable(socket);
      await socket.close();
    });

    it("not_found: someone else's notification id (unchanged, its owner hears nothing) or an unknown id, worded alike", async () => {
      const owner = await createUser(server);
      const intruder = await createUser(server);
      const notification = await adminNotify(server, admin, owner.id);
      const { socket: ownerSocket, count } = await openNotifications(server, owner);
      expect(count).toBe(1);
      const { socket } = await openNotifications(server, intruder);
      const foreign = await expectError(socket, { type: 'mark_read', notification_id: notification.id }, 'not_found');
      const unknown = await expectError(socket, { type: 'mark_read', notification_id: randomUUID() }, 'not_found');
      expect(foreign.message).toBe(unknown.message);
      await ownerSocket.expectSilence();
      expect(await unreadCount(server, owner)).toBe(1);
      expect((await notificationsOf(server, owner))[0]).toMatchObject({ id: notification.id, is_read: false });
      // The REST twin answers 404 alike.
      const rest = await http(server.httpUrl, 'POST', `/api/notifications/${notification.id}/read`, {
        token: intruder.token,
      });
      expect(rest.status).toBe(404);
      expect(await unreadCount(server, owner)).toBe(1);
      await closeAll(socket, ownerSocket);
    });
  });

  describe('on the presence endpoint', () => {
    it('accepts only set_availability, ping and auth: anything else is unknown_type; garbage is invalid_json', async () => {
      const user = await createUser(server);
      const { socket } = await openPresence(server, user);
      for (const frame of [
        { type: 'user_online' },
        { type: 'mark_all_read' },
        { type: 'chat_message', message: 'x' },
      ]) {
        await expectError(socket, frame, 'unknown_type');
      }
      await expectError(socket, '{"type":', 'invalid_json');
      await expectStillUsable(socket);
      await socket.close();
    });
  });

  describe('frame size', () => {
    it('a 70 KB frame closes the connection with 1009 and stores nothing; others are unaffected', async () => {
      const { a, b, client, consultation } = await chatPair();
      a.send({ type: 'chat_message', message: 'x'.repeat(70 * 1024) });
      const closed = await withTimeout(a.closed, 3000, 'close 1009');
      expect(closed.code).toBe(1009);
      await b.expectSilence('chat_message');
      expect(await textHistory(server, client, consultation.id)).toHaveLength(1);
      await expectStillUsable(b);
      await b.close();
    });

    it.each(['notifications', 'presence'] as const)('%s: a 70 KB frame closes with 1009', async (endpoint) => {
      const user = await createUser(server);
      const { socket } =
        endpoint === 'notifications' ? await openNotifications(server, user) : await openPresence(server, user);
      socket.send({ type: 'ping', pad: 'p'.repeat(70 * 1024) });
      expect((await withTimeout(socket.closed, 3000, 'close 1009')).code).toBe(1009);
    });

    it('a frame just under 64 KB is processed normally', async () => {
      const user = await createUser(server);
      const { socket } = await openPresence(server, user);
      socket.send({ type: 'ping', pad: 'p'.repeat(63 * 1024) });
      expect(await socket.next()).toEqual({ type: 'pong' });
      await socket.close();
    });
  });
});
