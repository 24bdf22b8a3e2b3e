import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { closeAll, notificationsOf, openChat, openNotifications, say } from '../ws/helpers';

noteSkippedPostgres('product: the consultation lifecycle in the chat');

describe(`the consultation lifecycle in the chat (${ENGINE})`, () => {
  let server: TestServer;
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
  });
  afterAll(async () => {
    await server?.close();
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
      const numerologistChat = await openChat(server, consultation.id, numerologist);
      const clientChat = await openChat(server, consultation.id, client);
      await say(numerologistChat, 'one');
      const two = await say(numerologistChat, 'two');
      await say(numerologistChat, 'three');
      await say(clientChat, 'mine does not count for me');
      expect(await unreadIn(client)).toEqual({ [consultation.id]: 3, [quiet.consultation.id]: 0 });
      expect(await unreadIn(numerologist)).toEqual({ [consultation.id]: 1 });

      clientChat.send({ type: 'read_receipt', message_id: two.id });
      await numerologistChat.next('read_receipt');
      expect(await unreadIn(client)).toEqual({ [consultation.id]: 1, [quiet.consultation.id]: 0 });
      await closeAll(numerologistChat, clientChat);
    });
  });
});
