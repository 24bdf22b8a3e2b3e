import { randomUUID } from 'node:crypto';
import { NotificationsService } from '@numerai/notifications';
import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { expectError } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { waitFor } from '../support/wait-for';
import { TestSocket } from '../support/ws-client';
import {
  adminNotify,
  closeAll,
  createAdmin,
  notificationData,
  notificationsOf,
  openChat,
  openNotifications,
  say,
  unreadCount,
} from './helpers';

/** `/ws/notifications/`: own notifications only, unread_count kept right on every tab, persisted for offline users. */
describe('ws: notifications', () => {
  let server: TestServer;
  let admin: TestUser;
  beforeAll(async () => {
    server = await startTestServer();
    admin = await createAdmin(server);
  });
  afterAll(() => server.close());

  const post = (user: TestUser, path: string) => http(server.httpUrl, 'POST', path, { token: user.token });

  /** The next frame on every socket is exactly `frame`. */
  async function allGet(sockets: TestSocket[], frame: unknown) {
    for (const socket of sockets) expect(await socket.next()).toEqual(frame);
  }

  describe('notification and unread_count', () => {
    it('an admin notification reaches every connection of the recipient, then the new unread_count; nobody else', async () => {
      const user = await createUser(server);
      const other = await createUser(server);
      const t1 = await openNotifications(server, user);
      const t2 = await openNotifications(server, user);
      const o = await openNotifications(server, other);
      expect([t1.count, t2.count, o.count]).toEqual([0, 0, 0]);

      const created = await adminNotify(server, admin, user.id);
      expect(created).toEqual(
        notificationData({
          title: 'Daily Reading Ready',
          message: 'Your daily reading is available',
          notification_type: 'daily_reading',
        }),
      );
      expect(Object.keys(created).sort()).toEqual(
        ['created_at', 'id', 'is_read', 'message', 'notification_type', 'seq', 'title'].sort(),
      );
      await allGet([t1.socket, t2.socket], { type: 'notification', data: created });
      await allGet([t1.socket, t2.socket], { type: 'unread_count', count: 1 });

      const withData = await adminNotify(server, admin, user.id, {
        title: 'Consultation booked',
        message: 'See you Monday',
        notification_type: 'consultation_booked',
        data: { consultation_id: 'c-1', slot: 3 },
      });
      expect(withData).toEqual(
        notificationData({
          title: 'Consultation booked',
          message: 'See you Monday',
          notification_type: 'consultation_booked',
          data: { consultation_id: 'c-1', slot: 3 },
        }),
      );
      await allGet([t1.socket, t2.socket], { type: 'notification', data: withData });
      await allGet([t1.socket, t2.socket], { type: 'unread_count', count: 2 });
      await Promise.all([t1.socket.expectSilence(), t2.socket.expectSilence(), o.socket.expectSilence()]);
      expect(o.socket.frames).toHaveLength(2); // its connection_established and unread_count only
      await closeAll(t1.socket, t2.socket, o.socket);
    });

    it('NotificationsService.notify (the one call other modules use) stores and pushes alike', async () => {
      const user = await createUser(server);
      const tab = await openNotifications(server, user);
      const created = await server.app.get(NotificationsService).notify(user.id, {
        title: 'Daily Reading Ready',
        message: 'Your daily reading is available',
        notification_type: 'daily_reading',
      });
      expect(await tab.socket.next()).toEqual({ type: 'notification', data: created });
      expect(await tab.socket.next()).toEqual({ type: 'unread_count', count: 1 });
      expect(await notificationsOf(server, user)).toEqual([created]);
      await tab.socket.close();
    });

    it('admin endpoint: 403 for non-admins, 404 for an unknown user, 400 naming a bad field', async () => {
      const user = await createUser(server);
      const body = { user_id: user.id, title: 't', message: 'm', notification_type: 'daily_reading' };
      const as = (who: TestUser, payload: unknown) =>
        http(server.httpUrl, 'POST', '/api/admin/notifications', { token: who.token, body: payload });
      expectError(await as(user, body), 403);
      expectError(await as(admin, { ...body, user_id: randomUUID() }), 404);
      expectError(await as(admin, { ...body, notification_type: 'Bad Type' }), 400, 'notification_type');
      expectError(await as(admin, { ...body, data: 'x' }), 400, 'data');
      expect(await unreadCount(server, user)).toBe(0);
    });

    it('a notification created while offline is there on the next connect: counted in unread_count, listed by REST', async () => {
      const user = await createUser(server);
      const first = await adminNotify(server, admin, user.id, { title: 'one' });
      const second = await adminNotify(server, admin, user.id, { title: 'two' });
      const third = await adminNotify(server, admin, user.id, { title: 'three' });
      const { socket, count } = await openNotifications(server, user);
      expect(count).toBe(3);
      await socket.expectSilence(); // the count, not a flood of old notifications
      expect(await notificationsOf(server, user)).toEqual([third, second, first]);
      const unread = await http(server.httpUrl, 'GET', '/api/notifications?unread=true&limit=2', { token: user.token });
      expect(unread.body).toEqual({ items: [third, second], next_before: second.id });
      await socket.close();
    });
  });

  it('connecting while notifications are being created: the last unread_count is the true count', async () => {
    const service = server.app.get(NotificationsService);
    for (let round = 0; round < 5; round++) {
      const user = await createUser(server);
      const notify = () => service.notify(user.id, { title: 't', message: 'm', notification_type: 'daily_reading' });
      const connecting = openNotifications(server, user);
      const created = Promise.all([notify(), notify(), notify()]);
      const { socket } = await connecting;
      await created;
      await waitFor('unread_count 3', () => socket.all('unread_count').at(-1)?.count === 3);
      // A marker: any count already on its way comes before the answer to this ping.
      socket.send({ type: 'ping' });
      await socket.next('pong');
      expect(socket.all('unread_count').at(-1)).toEqual({ type: 'unread_count', count: 3 });
      await socket.close();
    }
  });

  describe('mark_read and mark_all_read', () => {
    it('mark_read pushes the new unread_count to every tab, the sending one included, and is persisted', async () => {
      const user = await createUser(server);
      const n1 = await adminNotify(server, admin, user.id);
      const n2 = await adminNotify(server, admin, user.id);
      const t1 = await openNotifications(server, user);
      const t2 = await openNotifications(server, user);
      expect([t1.count, t2.count]).toEqual([2, 2]);
      t1.socket.send({ type: 'mark_read', notification_id: n1.id });
      await allGet([t1.socket, t2.socket], { type: 'unread_count', count: 1 });
      const listed = await notificationsOf(server, user);
      expect(listed).toEqual([n2, { ...n1, is_read: true }]);
      // Marking it again changes nothing: no new count, no error.
      t2.socket.send({ type: 'mark_read', notification_id: n1.id });
      await Promise.all([t1.socket.expectSilence(), t2.socket.expectSilence()]);
      expect(await unreadCount(server, user)).toBe(1);
      await closeAll(t1.socket, t2.socket);
    });

    it('mark_all_read: every tab gets unread_count 0; with nothing unread it changes nothing', async () => {
      const user = await createUser(server);
      const other = await createUser(server);
      for (let i = 0; i < 3; i++) await adminNotify(server, admin, user.id);
      await adminNotify(server, admin, other.id);
      const t1 = await openNotifications(server, user);
      const t2 = await openNotifications(server, user);
      t2.socket.send({ type: 'mark_all_read' });
      await allGet([t1.socket, t2.socket], { type: 'unread_count', count: 0 });
      expect((await notificationsOf(server, user)).map((n) => n.is_read)).toEqual([true, true, true]);
      expect(await unreadCount(server, other)).toBe(1); // only one's own
      t1.socket.send({ type: 'mark_all_read' });
      // A marker after it: a new notification, which both tabs hear once the server got that far.
      const marker = await adminNotify(server, admin, user.id);
      for (const socket of [t1.socket, t2.socket]) expect((await socket.next('notification')).data).toEqual(marker);
      const before = (socket: TestSocket) =>
        socket.frames.slice(
          3,
          socket.frames.findIndex((frame) => frame.type === 'notification'),
        );
      // At most a confirmation of where it stands; never a wrong count, never an error.
      for (const frame of before(t1.socket)) expect(frame).toEqual({ type: 'unread_count', count: 0 });
      expect(before(t2.socket)).toEqual([]);
      await closeAll(t1.socket, t2.socket);
    });

    it('the REST twins push unread_count to every open socket of that user', async () => {
      const user = await createUser(server);
      const n1 = await adminNotify(server, admin, user.id);
      await adminNotify(server, admin, user.id);
      await adminNotify(server, admin, user.id);
      const t1 = await openNotifications(server, user);
      const t2 = await openNotifications(server, user);

      const read = await post(user, `/api/notifications/${n1.id}/read`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual({ ...n1, is_read: true });
      await allGet([t1.socket, t2.socket], { type: 'unread_count', count: 2 });

      const all = await post(user, '/api/notifications/read-all');
      expect(all.status).toBe(200);
      expect(all.body).toEqual({ count: 2 });
      await allGet([t1.socket, t2.socket], { type: 'unread_count', count: 0 });

      const again = await post(user, '/api/notifications/read-all');
      expect(again.body).toEqual({ count: 0 });
      await Promise.all([t1.socket.expectSilence(), t2.socket.expectSilence()]);
      await closeAll(t1.socket, t2.socket);
    });

    it('unread_count stays equal across two tabs through any mix of changes', async () => {
      const user = await createUser(server);
      const t1 = await openNotifications(server, user);
      const t2 = await openNotifications(server, user);
      const lastCount = (socket: TestSocket) => socket.all('unread_count').at(-1)?.count;
      const settle = async (expected: number) => {
        await waitFor(
          `both tabs at ${expected}`,
          () => lastCount(t1.socket) === expected && lastCount(t2.socket) === expected,
        );
        expect(await unreadCount(server, user)).toBe(expected);
      };
      const a = await adminNotify(server, admin, user.id);
      await settle(1);
      const b = await adminNotify(server, admin, user.id);
      await settle(2);
      t2.socket.send({ type: 'mark_read', notification_id: b.id });
      await settle(1);
      await adminNotify(server, admin, user.id);
      await settle(2);
      await post(user, `/api/notifications/${a.id}/read`);
      await settle(1);
      t1.socket.send({ type: 'mark_all_read' });
      await settle(0);
      expect(t1.socket.all('unread_count').map((f) => f.count)).toEqual(
        t2.socket.all('unread_count').map((f) => f.count),
      );
      await closeAll(t1.socket, t2.socket);
    });
  });

  describe('chat_message notifications', () => {
    it('a chat message to a participant with no chat open to that consultation notifies them (and only them)', async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const other = await createConsultation(server, { numerologist });
      const otherChat = await openChat(server, other.consultation.id, numerologist); // a chat, but not this one
      const inbox = await openNotifications(server, numerologist);
      const senderInbox = await openNotifications(server, client);
      const a = await openChat(server, consultation.id, client);
      const message = await say(a, 'Are you there?');
      const notification = await inbox.socket.next();
      expect(notification).toEqual({
        type: 'notification',
        data: notificationData({
          notification_type: 'chat_message',
          message: 'Are you there?',
          data: { consultation_id: consultation.id, message_id: message.id, sender_id: client.id },
        }),
      });
      // A fixed title: the sender's name is their own choice and never becomes one.
      expect((notification as { data: { title: string } }).data.title).toBe('New message');
      expect(await inbox.socket.next()).toEqual({ type: 'unread_count', count: 1 });
      await senderInbox.socket.expectSilence();
      expect(await notificationsOf(server, client)).toEqual([]);
      await closeAll(a, otherChat, inbox.socket, senderInbox.socket);
    });

    it('none while the participant has that chat open; one again after they closed it', async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const b = await openChat(server, consultation.id, numerologist);
      const inbox = await openNotifications(server, numerologist);
      const a = await openChat(server, consultation.id, client);
      await say(a, 'seen live');
      expect((await b.next('chat_message')).data.content).toBe('seen live');
      await inbox.socket.expectSilence();
      expect(await notificationsOf(server, numerologist)).toEqual([]);
      await b.close();
      await say(a, 'now away');
      expect((await inbox.socket.next('notification')).data).toMatchObject({
        notification_type: 'chat_message',
        message: 'now away',
      });
      expect(await unreadCount(server, numerologist)).toBe(1);
      await closeAll(a, inbox.socket);
    });

    it('a participant with no connection at all finds it as unread on the next connect', async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const a = await openChat(server, consultation.id, client);
      await say(a, 'while you were out');
      // The notification is stored after the message, by a handler of its event: wait for it
      // (a marker on the sender's socket says nothing about that handler).
      await waitFor('the chat notification to be stored', async () => (await unreadCount(server, numerologist)) === 1);
      const { socket, count } = await openNotifications(server, numerologist);
      expect(count).toBe(1);
      expect((await notificationsOf(server, numerologist))[0]).toMatchObject({
        notification_type: 'chat_message',
        message: 'while you were out',
        is_read: false,
      });
      await closeAll(a, socket);
    });
  });
});
