import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE, expectError, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { adminNotify, createAdmin, notificationsOf, openChat, openNotifications, say } from '../ws/helpers';

noteSkippedPostgres('product: notification preferences');

describe(`notification preferences (${ENGINE})`, () => {
  let server: TestServer;
  const get = (user: TestUser) => http(server.httpUrl, 'GET', '/api/notifications/preferences', { token: user.token });
  const put = (user: TestUser, body: unknown) =>
    http(server.httpUrl, 'PUT', '/api/notifications/preferences', { token: user.token, body });

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('every known type is on by default', async () => {
    const res = await get(await createUser(server));
    expect(res.status).toBe(200);
    const on = { in_app: true, push: true };
    expect(res.body).toEqual({
      types: {
        chat_message: on,
        daily_reading: on,
        consultation_reminder: on,
        consultation_booked: on,
        consultation_started: on,
        consultation_completed: on,
        consultation_cancelled: on,
        live_session_requested: on,
        live_session_lapsed: on,
      },
    });
  });

  it('PUT stores the switches (unknown but well-formed types too) and answers the full preferences', async () => {
    const user = await createUser(server);
    const res = await put(user, {
      types: { chat_message: { in_app: false, push: true }, promo_offer: { in_app: false, push: false } },
    });
    expect(res.status).toBe(200);
    expect(res.body.types.chat_message).toEqual({ in_app: false, push: true });
    expect(res.body.types.promo_offer).toEqual({ in_app: false, push: false });
    expect(res.body.types.daily_reading).toEqual({ in_app: true, push: true });
    expect((await get(user)).body).toEqual(res.body);
    // A PUT replaces: a type left out is back on.
    expect((await put(user, { types: {} })).body.types.chat_message).toEqual({ in_app: true, push: true });
  });

  it.each([
    [{}, 'types is required'],
    [{ types: [] }, 'types must be an object'],
    [{ types: { chat_message: true } }, 'types.chat_message must be exactly {in_app: boolean, push: boolean}'],
    [{ types: { chat_message: { in_app: 'no', push: true } } }, 'types.chat_message must be exactly'],
    [{ types: { chat_message: { in_app: false } } }, 'types.chat_message must be exactly'],
    [{ types: { chat_message: { in_app: false, push: true, email: true } } }, 'types.chat_message must be exactly'],
    [{ types: { 'Bad Type!': { in_app: false, push: false } } }, 'types keys must be 1-64 lowercase letters'],
    [{ types: { ['x'.repeat(65)]: { in_app: false, push: false } } }, 'types keys must be 1-64 lowercase letters'],
    [
      { types: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`t${i}`, { in_app: true, push: true }])) },
      'types accepts at most 64 notification types',
    ],
    [{ types: {}, extra: 1 }, 'property extra should not exist'],
  ])('400 for %j', async (body, message) => {
    const user = await createUser(server);
    expectError(await put(user, body), 400, message);
  });

  it('a chat_message switched off in-app is neither stored nor sent; switched on again, it is', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    await put(numerologist, { types: { chat_message: { in_app: false, push: false } } });
    const inbox = await openNotifications(server, numerologist);
    const chat = await openChat(server, consultation.id, client);
    await say(chat, 'not announced');
    await put(numerologist, { types: {} });
    await say(chat, 'announced');
    // The second message's notification is the positive marker sent after the one that must not arrive.
    const first = await inbox.socket.next('notification');
    expect(first.data.message).toBe('announced');
    expect((await notificationsOf(server, numerologist)).map((n) => n.message)).toEqual(['announced']);
    await Promise.all([chat.close(), inbox.socket.close()]);
  });

  it('the admin endpoint says 409 when the user switched that type off, and broadcast skips them', async () => {
    const admin = await createAdmin(server);
    const [quiet, loud] = [await createUser(server), await createUser(server)];
    await put(quiet, { types: { daily_reading: { in_app: false, push: false } } });
    const res = await http(server.httpUrl, 'POST', '/api/admin/notifications', {
      token: admin.token,
      body: { user_id: quiet.id, title: 'x', message: 'y', notification_type: 'daily_reading' },
    });
    expectError(res, 409, 'daily_reading');
    await adminNotify(server, admin, quiet.id, { notification_type: 'other_type' });
    const broadcast = await http(server.httpUrl, 'POST', '/api/admin/notifications/broadcast', {
      token: admin.token,
      body: { user_ids: [quiet.id, loud.id], title: 'x', message: 'y', notification_type: 'daily_reading' },
    });
    expect(broadcast.body).toEqual({ count: 1 });
    expect((await notificationsOf(server, quiet)).map((n) => n.notification_type)).toEqual(['other_type']);
    expect((await notificationsOf(server, loud)).map((n) => n.notification_type)).toEqual(['daily_reading']);
  });
});
