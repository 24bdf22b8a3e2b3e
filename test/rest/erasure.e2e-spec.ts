import { DataSource } from 'typeorm';
import { NotificationEntity } from '@numerai/notifications';
import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE, expectError, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { waitFor } from '../scale-out/support/cluster';
import {
  adminNotify,
  closeAll,
  createAdmin,
  errorFrame,
  history,
  notificationsOf,
  openChat,
  openNotifications,
  openPresence,
  say,
} from '../ws/helpers';
import { expectServed, expectSessionEnded, meStatus } from '../ws/session-helpers';

noteSkippedPostgres('erasure');

/** A name that must be gone from everything the other participant reads once its owner is erased. */
const SECRET = 'Zebulon Secretname';

/**
 * Issue 23, "Erasure is not complete, nor one transaction": erasing an account ends its open
 * consultations (announced like any cancellation), nothing is notified to it afterwards, its
 * name is gone from what the other participant reads, and a failure part-way changes nothing.
 */
describe(`account erasure (${ENGINE})`, () => {
  let server: TestServer;
  let admin: TestUser;
  const erase = (user: TestUser) =>
    http(server.httpUrl, 'DELETE', '/api/users/me', { token: user.token, body: { password: user.password } });
  const patch = (user: TestUser, id: string, status: string) =>
    http(server.httpUrl, 'PATCH', `/api/consultations/${id}`, { token: user.token, body: { status } });
  const storedNotificationsOf = (userId: string) =>
    server.app.get(DataSource).getRepository(NotificationEntity).countBy({ userId });

  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '100000' });
    admin = await createAdmin(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("ends the account's open consultations: the other side's chat gets the system message, presence user_offline; writing is refused", async () => {
    const { consultation, client, numerologist } = await createConsultation(server, { status: 'active' });
    const clientChat = await openChat(server, consultation.id, client);
    const numerologistChat = await openChat(server, consultation.id, numerologist);
    const watcher = await openPresence(server, numerologist);
    expect(watcher.users.map((user) => user.user_id)).toContain(client.id);

    expect((await erase(client)).status).toBe(204);

    await expectSessionEnded(clientChat);
    const ended = await numerologistChat.next('chat_message');
    expect(ended.data).toMatchObject({
      message_type: 'system',
      event: 'consultation_cancelled',
      sender_id: client.id,
      sender_name: 'Deleted user',
      content: 'Deleted user cancelled the consultation',
    });
    expect(await watcher.socket.next('user_offline')).toMatchObject({ type: 'user_offline', user_id: client.id });
    const stored = await http(server.httpUrl, 'GET', `/api/consultations/${consultation.id}`, {
      token: numerologist.token,
    });
    expect(stored.body.status).toBe('cancelled');

    numerologistChat.send({ type: 'chat_message', message: 'are you still there?', client_id: 'after-1' });
    expect(await numerologistChat.next('error')).toEqual(errorFrame('consultation_closed', { ref: 'after-1' }));
    expect((await patch(numerologist, consultation.id, 'active')).status).toBe(409);
    await closeAll(numerologistChat, watcher.socket);
  });

  it('nothing is notified to an erased account: no notification row, no admin send, no booking with it', async () => {
    const { consultation, client, numerologist } = await createConsultation(server, { status: 'active' });
    const numerologistChat = await openChat(server, consultation.id, numerologist);
    const inbox = await openNotifications(server, numerologist);
    expect((await erase(numerologist)).status).toBe(204);
    await expectSessionEnded(numerologistChat);

    // The client, who has no chat open, writes: refused, so no chat_message notification for the erased side.
    const clientChat = await openChat(server, consultation.id, client);
    clientChat.send({ type: 'chat_message', message: 'a question for nobody', client_id: 'late' });
    expect(await clientChat.next('error')).toEqual(errorFrame('consultation_closed', { ref: 'late' }));
    expectError(
      await http(server.httpUrl, 'POST', '/api/admin/notifications', {
        token: admin.token,
        body: { user_id: numerologist.id, title: 't', message: 'm', notification_type: 'daily_reading' },
      }),
      404,
    );
    expectError(
      await http(server.httpUrl, 'POST', '/api/consultations', {
        token: client.token,
        body: { numerologist_id: numerologist.id },
      }),
      404,
    );
    // The marker: a notification to the client, sent after all of the above, has been stored.
    await adminNotify(server, admin, client.id, { notification_type: 'marker' });
    await waitFor('the marker', async () => (await notificationsOf(server, client)).length > 0);
    expect(await storedNotificationsOf(numerologist.id)).toBe(0);
    await closeAll(clientChat, inbox.socket);
  });

  it("the erased user's name is nowhere in the other participant's history, notifications or consultations", async () => {
    const client = await createUser(server, { name: SECRET });
    const numerologist = await createUser(server, { role: 'numerologist' });
    const { consultation } = await createConsultation(server, { client, numerologist, lifecycle: true });
    const inbox = await openNotifications(server, numerologist);
    expect((await patch(numerologist, consultation.id, 'active')).status).toBe(200);
    const clientChat = await openChat(server, consultation.id, client);
    await say(clientChat, 'hello from the client');
    // The numerologist is away from the chat: the booking and the message are notified.
    await waitFor('booking and message notices', async () => (await notificationsOf(server, numerologist)).length >= 2);
    const before = JSON.stringify(await notificationsOf(server, numerologist));
    expect(before).toContain(SECRET); // the booking notice names its client while they exist
    // Read, so the cancellation to come is a notice of its own rather than taking the booking's place.
    expect(
      (await http(server.httpUrl, 'POST', '/api/notifications/read-all', { token: numerologist.token })).status,
    ).toBe(200);

    expect((await erase(client)).status).toBe(204);
    await waitFor('the cancellation notice', async () =>
      (await notificationsOf(server, numerologist)).some((n) => n.notification_type === 'consultation_cancelled'),
    );

    const seen = JSON.stringify([
      await history(server, numerologist, consultation.id),
      await notificationsOf(server, numerologist),
      (await http(server.httpUrl, 'GET', '/api/consultations', { token: numerologist.token })).body,
      (await http(server.httpUrl, 'GET', `/api/consultations/${consultation.id}`, { token: numerologist.token })).body,
    ]);
    expect(seen).not.toContain('Secretname');
    expect(seen).not.toContain('Zebulon');
    expect(seen).toContain('Deleted user booked a consultation with you');
    expect(seen).toContain('Deleted user booked this consultation');
    await closeAll(inbox.socket);
  });

  it('a failure part-way through erasure leaves everything as it was (one transaction)', async () => {
    const { consultation, client, numerologist } = await createConsultation(server, { status: 'active' });
    const dataSource = server.app.get(DataSource);
    // A reading to delete, and a database that refuses to delete it: the erasure fails after its first statements.
    await http(server.httpUrl, 'PATCH', '/api/users/me', { token: client.token, body: { birth_date: '1990-05-17' } });
    expect((await http(server.httpUrl, 'GET', '/api/readings/today', { token: client.token })).status).toBe(200);
    await adminNotify(server, admin, client.id, { title: 'kept' });
    await plantFailure(dataSource);
    const clientChat = await openChat(server, consultation.id, client);
    const numerologistChat = await openChat(server, consultation.id, numerologist);
    try {
      expect((await erase(client)).status).toBeGreaterThanOrEqual(500);

      expect(await meStatus(server, client.token)).toBe(200);
      const me = await http(server.httpUrl, 'GET', '/api/users/me', { token: client.token });
      expect(me.body).toMatchObject({ full_name: client.name, email: client.email });
      const stored = await http(server.httpUrl, 'GET', `/api/consultations/${consultation.id}`, {
        token: client.token,
      });
      expect(stored.body.status).toBe('active');
      expect((await notificationsOf(server, client)).map((n) => n.title)).toEqual(['kept']);
      expect((await http(server.httpUrl, 'GET', '/api/readings/today', { token: client.token })).status).toBe(200);
      await expectServed(clientChat);
      const after = await say(numerologistChat, 'still here');
      expect((await clientChat.next('chat_message')).data.id).toBe(after.id);
    } finally {
      await removeFailure(dataSource);
    }
    expect((await erase(client)).status).toBe(204);
    await expectSessionEnded(clientChat);
    await closeAll(numerologistChat);
  });
});

/** A trigger that makes deleting any reading fail: a fault inside the database, no mock of our code. */
async function plantFailure(dataSource: DataSource): Promise<void> {
  if (ENGINE === 'postgres') {
    await dataSource.query(
      `CREATE FUNCTION planted_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted failure'; END $$`,
    );
    await dataSource.query(
      'CREATE TRIGGER planted_failure BEFORE DELETE ON readings FOR EACH ROW EXECUTE FUNCTION planted_failure()',
    );
  } else {
    await dataSource.query(
      `CREATE TRIGGER planted_failure BEFORE DELETE ON readings BEGIN SELECT RAISE(ABORT, 'planted failure'); END`,
    );
  }
}

async function removeFailure(dataSource: DataSource): Promise<void> {
  await dataSource.query(
    ENGINE === 'postgres' ? 'DROP TRIGGER planted_failure ON readings' : 'DROP TRIGGER planted_failure',
  );
  if (ENGINE === 'postgres') await dataSource.query('DROP FUNCTION planted_failure()');
}
