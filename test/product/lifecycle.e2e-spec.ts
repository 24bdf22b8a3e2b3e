import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { waitFor } from '../scale-out/support/cluster';
import {
  adminNotify,
  createAdmin,
  notificationData,
  notificationsOf,
  openChat,
  openNotifications,
} from '../ws/helpers';

noteSkippedPostgres('product: consultation lifecycle notifications');

describe(`consultation lifecycle notifications (${ENGINE})`, () => {
  let server: TestServer;
  let admin: TestUser;
  const patch = (user: TestUser, id: string, status: string) =>
    http(server.httpUrl, 'PATCH', `/api/consultations/${id}`, { token: user.token, body: { status } });

  beforeAll(async () => {
    server = await startTestServer();
    admin = await createAdmin(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('booked → started → completed: the other participant hears each, the actor nothing', async () => {
    const client = await createUser(server, { name: 'Cleo Client' });
    const numerologist = await createUser(server, { role: 'numerologist', name: 'Nia Numerologist' });
    const clientInbox = await openNotifications(server, client);
    const numerologistInbox = await openNotifications(server, numerologist);

    const { consultation } = await createConsultation(server, { client, numerologist, lifecycle: true });
    expect((await numerologistInbox.socket.next('notification')).data).toEqual(
      notificationData({
        title: 'Consultation booked',
        message: 'Cleo Client booked a consultation with you',
        notification_type: 'consultation_booked',
        data: { consultation_id: consultation.id, status: 'scheduled' },
      }),
    );

    expect((await patch(numerologist, consultation.id, 'active')).status).toBe(200);
    expect((await clientInbox.socket.next('notification')).data).toEqual(
      notificationData({
        title: 'Consultation started',
        message: 'Nia Numerologist started your consultation',
        notification_type: 'consultation_started',
        data: { consultation_id: consultation.id, status: 'active' },
      }),
    );

    expect((await patch(numerologist, consultation.id, 'completed')).status).toBe(200);
    expect((await clientInbox.socket.next('notification')).data).toMatchObject({
      notification_type: 'consultation_completed',
      data: { consultation_id: consultation.id, status: 'completed' },
    });

    // A refused change notifies nobody; the admin's notification is the marker sent after it.
    expect((await patch(client, consultation.id, 'cancelled')).status).toBe(409);
    await adminNotify(server, admin, numerologist.id, { notification_type: 'marker' });
    expect((await numerologistInbox.socket.next('notification')).data.notification_type).toBe('marker');
    expect((await notificationsOf(server, client)).map((n) => n.notification_type)).toEqual([
      'consultation_completed',
      'consultation_started',
    ]);
    await Promise.all([clientInbox.socket.close(), numerologistInbox.socket.close()]);
  });

  it('cancelled by the client: the numerologist hears it, in place of the booking they had not read yet', async () => {
    const { consultation, client, numerologist } = await createConsultation(server, { lifecycle: true });
    await waitFor('the booking notice', async () => (await notificationsOf(server, numerologist)).length === 1);
    const [booked] = await notificationsOf(server, numerologist);
    expect((await patch(client, consultation.id, 'cancelled')).status).toBe(200);
    await waitFor(
      'the cancellation',
      async () => (await notificationsOf(server, numerologist))[0]?.notification_type === 'consultation_cancelled',
    );
    const items = await notificationsOf(server, numerologist);
    expect(items.map((n) => [n.notification_type, n.data])).toEqual([
      ['consultation_cancelled', { consultation_id: consultation.id, status: 'cancelled' }],
    ]);
    expect(items[0].id).not.toBe(booked.id);
  });

  it('a cancellation after the booking was read is a notification of its own', async () => {
    const { consultation, client, numerologist } = await createConsultation(server, { lifecycle: true });
    await waitFor('the booking notice', async () => (await notificationsOf(server, numerologist)).length === 1);
    const [booked] = await notificationsOf(server, numerologist);
    const read = await http(server.httpUrl, 'POST', `/api/notifications/${booked.id}/read`, {
      token: numerologist.token,
    });
    expect(read.status).toBe(200);
    expect((await patch(client, consultation.id, 'cancelled')).status).toBe(200);
    await waitFor('two notifications', async () => (await notificationsOf(server, numerologist)).length === 2);
    expect((await notificationsOf(server, numerologist)).map((n) => n.notification_type)).toEqual([
      'consultation_cancelled',
      'consultation_booked',
    ]);
  });

  it('none while the other participant has that chat open', async () => {
    const { consultation, client, numerologist } = await createConsultation(server, { lifecycle: true });
    const chat = await openChat(server, consultation.id, client);
    const inbox = await openNotifications(server, client);
    expect((await patch(numerologist, consultation.id, 'active')).status).toBe(200);
    await adminNotify(server, admin, client.id, { notification_type: 'marker' });
    expect((await inbox.socket.next('notification')).data.notification_type).toBe('marker');
    expect((await notificationsOf(server, client)).map((n) => n.notification_type)).toEqual(['marker']);
    await Promise.all([chat.close(), inbox.socket.close()]);
  });

  it('a participant who switched a lifecycle type off does not get it', async () => {
    const client = await createUser(server);
    await http(server.httpUrl, 'PUT', '/api/notifications/preferences', {
      token: client.token,
      body: { types: { consultation_started: { in_app: false, push: false } } },
    });
    const { consultation, numerologist } = await createConsultation(server, { client, lifecycle: true });
    await patch(numerologist, consultation.id, 'active');
    await patch(numerologist, consultation.id, 'completed');
    // The completed one is created after the started one would have been: it is the marker.
    const { value: types } = await waitFor('the completed notification', async () => {
      const seen = (await notificationsOf(server, client)).map((n) => n.notification_type);
      return seen.includes('consultation_completed') ? seen : undefined;
    });
    expect(types).toEqual(['consultation_completed']);
  });
});
