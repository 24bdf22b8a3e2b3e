import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { waitFor } from '../scale-out/support/cluster';
import { connect } from '../support/ws-client';
import {
  adminNotify,
  chatUrl,
  closeAll,
  createAdmin,
  history,
  ISO,
  notificationsOf,
  openChat,
  openNotifications,
  say,
  UUID,
} from '../ws/helpers';

noteSkippedPostgres('product: the consultation lifecycle in the chat');

describe(`the consultation lifecycle in the chat (${ENGINE})`, () => {
  let server: TestServer;
  let admin: TestUser;
  const unreadIn = async (user: TestUser) => {
    const res = await http<{ items: { id: string; unread_count: number }[] }>(
      server.httpUrl,
      'GET',
      '/api/consultations?limit=100',
      { token: user.token },
    );
    expect(res.status).toBe(200);
    return Object.fromEntries(res.body.items.map((item) => [item.id, item.unread_count]));
  };

  beforeAll(async () => {
    server = await startTestServer();
    admin = await createAdmin(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  const patch = (user: TestUser, id: string, status: string) =>
    http(server.httpUrl, 'PATCH', `/api/consultations/${id}`, { token: user.token, body: { status } });
  /** The booking's system message is written just after the 201: wait until it is there. */
  const booked = (user: TestUser, consultationId: string) =>
    waitFor('the booked message', async () => (await history(server, user, consultationId)).length > 0);
  const systemMessage = (seq: number, event: string, actor: TestUser, content: string) => ({
    id: expect.stringMatching(UUID),
    sender_id: actor.id,
    sender_name: actor.name,
    content,
    created_at: expect.stringMatching(ISO),
    message_type: 'system',
    event,
    seq,
  });

  describe('system messages', () => {
    it('booked, started, completed: stored in the stream in order with the rest, live and replayed', async () => {
      const client = await createUser(server, { name: 'Cleo Client' });
      const numerologist = await createUser(server, { role: 'numerologist', name: 'Nia Numerologist' });
      const { consultation } = await createConsultation(server, { client, numerologist });
      const bookedMessage = systemMessage(1, 'consultation_booked', client, 'Cleo Client booked this consultation');
      // Booking is announced before the chat is open: it is the first message of the history.
      await booked(client, consultation.id);
      const clientChat = await openChat(server, consultation.id, client, { query: { last_seq: '0' } });
      expect(await clientChat.next()).toEqual({ type: 'chat_message', data: bookedMessage });
      expect(await clientChat.next()).toEqual({ type: 'replay_complete', count: 1, has_more: false });
      const numerologistChat = await openChat(server, consultation.id, numerologist);

      expect((await patch(numerologist, consultation.id, 'active')).status).toBe(200);
      const started = systemMessage(
        2,
        'consultation_started',
        numerologist,
        'Nia Numerologist started the consultation',
      );
      for (const socket of [clientChat, numerologistChat]) {
        expect(await socket.next('chat_message')).toEqual({ type: 'chat_message', data: started });
      }
      const hello = await say(clientChat, 'hello');
      expect(hello.seq).toBe(3);
      await numerologistChat.next('chat_message');

      // The closing step is stored although the chat is read-only from then on.
      expect((await patch(numerologist, consultation.id, 'completed')).status).toBe(200);
      const completed = systemMessage(
        4,
        'consultation_completed',
        numerologist,
        'Nia Numerologist marked the consultation completed',
      );
      for (const socket of [clientChat, numerologistChat]) {
        expect(await socket.next('chat_message')).toEqual({ type: 'chat_message', data: completed });
      }

      const replayed = await connect(chatUrl(server, consultation.id, '/?last_seq=0'), { token: client.token });
      await replayed.next('connection_established');
      const frames = [];
      for (let i = 0; i < 4; i++) frames.push((await replayed.next('chat_message')).data);
      expect(frames).toEqual([bookedMessage, started, hello, completed]);
      expect(await history(server, numerologist, consultation.id)).toEqual([completed, hello, started, bookedMessage]);
      await closeAll(clientChat, numerologistChat, replayed);
    });

    it('cancelled by the client: the system message is theirs, and it is no chat_message notification', async () => {
      const { consultation, client, numerologist } = await createConsultation(server, { lifecycle: true });
      // The booking's notice is stored after the booking answers: once it is, the inbox opened next
      // hears only what comes after it (it once arrived live here, ahead of the cancellation).
      await waitFor('the booking notice', async () =>
        (await notificationsOf(server, numerologist)).some((n) => n.notification_type === 'consultation_booked'),
      );
      const inbox = await openNotifications(server, numerologist);
      expect((await patch(client, consultation.id, 'cancelled')).status).toBe(200);
      const cancelled = systemMessage(2, 'consultation_cancelled', client, `${client.name} cancelled the consultation`);
      await waitFor(
        'the cancelled message',
        async () => (await history(server, numerologist, consultation.id)).length === 2,
      );
      const numerologistChat = await openChat(server, consultation.id, numerologist, { query: { last_seq: '1' } });
      expect(await numerologistChat.next()).toEqual({ type: 'chat_message', data: cancelled });
      // Only the lifecycle notification: a system message is not notified a second time as a chat message.
      expect((await inbox.socket.next('notification')).data.notification_type).toBe('consultation_cancelled');
      await adminNotify(server, admin, numerologist.id, { notification_type: 'marker' });
      expect((await inbox.socket.next('notification')).data.notification_type).toBe('marker');
      // The cancellation took the place of the booking notice, which was still unread.
      expect((await notificationsOf(server, numerologist)).map((n) => n.notification_type)).toEqual([
        'marker',
        'consultation_cancelled',
      ]);
      await closeAll(numerologistChat, inbox.socket);
    });
  });

  describe('reading clears', () => {
    it("reading past a message marks that chat's chat_message notifications up to it read, and every tab hears the count", async () => {
      const numerologist = await createUser(server, { role: 'numerologist' });
      const { consultation, client } = await createConsultation(server, { numerologist });
      const other = await createConsultation(server, { numerologist });
      const tab1 = await openNotifications(server, numerologist);
      const tab2 = await openNotifications(server, numerologist);

      // The numerologist is away from both chats: each message becomes a chat_message notification.
      const clientChat = await openChat(server, consultation.id, client);
      const m1 = await say(clientChat, 'first');
      const m2 = await say(clientChat, 'second');
      const otherChat = await openChat(server, other.consultation.id, other.client);
      await say(otherChat, 'elsewhere');
      for (const tab of [tab1, tab2]) {
        for (let i = 0; i < 3; i++) await tab.socket.next('notification');
        expect(await tab.socket.next('unread_count')).toEqual({ type: 'unread_count', count: 3 });
      }

      const reader = await openChat(server, consultation.id, numerologist);
      reader.send({ type: 'read_receipt', message_id: m1.id });
      for (const tab of [tab1, tab2]) {
        expect(await tab.socket.next('unread_count')).toEqual({ type: 'unread_count', count: 2 });
      }
      reader.send({ type: 'read_receipt', message_id: m2.id });
      for (const tab of [tab1, tab2]) {
        expect(await tab.socket.next('unread_count')).toEqual({ type: 'unread_count', count: 1 });
      }

      // Only this consultation's, only up to the marker: the other chat's notification stays unread.
      const stored = await notificationsOf(server, numerologist);
      expect(stored.map((n) => [n.data?.message_id, n.is_read])).toEqual([
        [expect.any(String), false],
        [m2.id, true],
        [m1.id, true],
      ]);
      expect(stored[0].data?.consultation_id).toBe(other.consultation.id);
      await closeAll(tab1.socket, tab2.socket, clientChat, otherChat, reader);
    });
  });

  describe('GET /api/consultations unread_count', () => {
    it("each item carries the caller's unread messages: the other participant's, after the caller's marker", async () => {
      const client = await createUser(server);
      const { consultation, numerologist } = await createConsultation(server, { client });
      const quiet = await createConsultation(server, { client });
      await booked(client, consultation.id);
      const numerologistChat = await openChat(server, consultation.id, numerologist);
      const clientChat = await openChat(server, consultation.id, client);
      await say(numerologistChat, 'one');
      const two = await say(numerologistChat, 'two');
      await say(numerologistChat, 'three');
      await say(clientChat, 'mine does not count for me');
      expect(await unreadIn(client)).toEqual({ [consultation.id]: 3, [quiet.consultation.id]: 0 });
      // The numerologist has not read the client's booking (a system message the client caused) either.
      expect(await unreadIn(numerologist)).toEqual({ [consultation.id]: 2 });

      clientChat.send({ type: 'read_receipt', message_id: two.id });
      await numerologistChat.next('read_receipt');
      expect(await unreadIn(client)).toEqual({ [consultation.id]: 1, [quiet.consultation.id]: 0 });
      await closeAll(numerologistChat, clientChat);
    });
  });
});
