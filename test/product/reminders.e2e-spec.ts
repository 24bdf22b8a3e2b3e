import { DataSource } from 'typeorm';
import { ConsultationEntity } from '@numerai/consultations';
import { NotificationEntity } from '@numerai/notifications';
import { JobRunner, ManualClock } from '@numerai/scheduler';
import { createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { notificationData, notificationsOf, openNotifications } from '../ws/helpers';

noteSkippedPostgres('product: consultation reminders');

const MINUTE = 60_000;

/** Reminders with the server's clock in the test's hands: the sweep runs at instants the test picks. */
describe(`consultation reminders (${ENGINE})`, () => {
  let server: TestServer;
  const clock = new ManualClock('2027-03-28T00:00:00Z');
  const sweep = () => server.app.get(JobRunner).runNow('consultation-reminders');
  const reminders = async (user: TestUser) =>
    (await notificationsOf(server, user)).filter((n) => n.notification_type === 'consultation_reminder');
  const stored = () =>
    server.app.get(DataSource).getRepository(NotificationEntity).countBy({ notificationType: 'consultation_reminder' });

  async function book(scheduledAt: Date) {
    const client = await createUser(server);
    const numerologist = await createUser(server, { role: 'numerologist' });
    const res = await http(server.httpUrl, 'POST', '/api/consultations', {
      token: client.token,
      body: { numerologist_id: numerologist.id, scheduled_at: scheduledAt.toISOString() },
    });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, client, numerologist };
  }

  beforeAll(async () => {
    server = await startTestServer({ SCHEDULER_TICK_MS: '3600000', CONSULTATION_REMINDER_MINUTES: '15' }, { clock });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('15 minutes before scheduled_at both participants get exactly one reminder, across a DST change', async () => {
    // 03:10 CEST in Berlin on the night the clocks jump from 02:00 to 03:00: in UTC, 01:10.
    const startsAt = new Date('2027-03-28T01:10:00Z');
    const { id, client, numerologist } = await book(startsAt);
    const inbox = await openNotifications(server, client);

    clock.set(startsAt.getTime() - 15 * MINUTE - 1000);
    await sweep();
    expect(await reminders(client)).toEqual([]);

    clock.set(startsAt.getTime() - 15 * MINUTE);
    await sweep();
    await sweep();
    clock.set(startsAt.getTime() - 5 * MINUTE);
    await sweep();

    const data = { consultation_id: id, scheduled_at: startsAt.toISOString() };
    expect((await inbox.socket.next('notification')).data).toEqual(
      notificationData({
        title: 'Consultation starts soon',
        message: 'Your consultation starts in 15 minutes',
        notification_type: 'consultation_reminder',
        data,
      }),
    );
    expect((await reminders(numerologist)).map((n) => n.data)).toEqual([data]);
    expect((await reminders(client)).map((n) => n.data)).toEqual([data]);
    await inbox.socket.close();
  });

  it('rescheduled: the old time is dropped and the new one reminded once; cancelled: none', async () => {
    const first = new Date('2027-04-01T10:00:00Z');
    const moved = await book(first);
    const cancelled = await book(first);
    // Rescheduling has no endpoint yet (PATCH takes only status); it is a change of scheduled_at in the store.
    const later = new Date('2027-04-01T12:00:00Z');
    await server.app.get(DataSource).getRepository(ConsultationEntity).update(moved.id, { scheduledAt: later });
    const cancel = await http(server.httpUrl, 'PATCH', `/api/consultations/${cancelled.id}`, {
      token: cancelled.client.token,
      body: { status: 'cancelled' },
    });
    expect(cancel.status).toBe(200);

    clock.set(first.getTime() - 10 * MINUTE);
    await sweep();
    expect(await reminders(moved.client)).toEqual([]);
    expect(await reminders(cancelled.client)).toEqual([]);
    expect(await reminders(cancelled.numerologist)).toEqual([]);

    clock.set(later.getTime() - 14 * MINUTE);
    await sweep();
    expect((await reminders(moved.client)).map((n) => n.data)).toEqual([
      { consultation_id: moved.id, scheduled_at: later.toISOString() },
    ]);
    expect((await reminders(moved.client))[0].message).toBe('Your consultation starts in 14 minutes');
  });

  it('a reminder due while the server was down goes out on the first sweep back, if the consultation has not started', async () => {
    const startsAt = new Date('2027-05-01T09:00:00Z');
    const missedEntirely = new Date('2027-05-01T08:50:00Z');
    const due = await book(startsAt);
    const tooLate = await book(missedEntirely);
    clock.set(startsAt.getTime() - 3 * MINUTE); // the 08:45 reminder time passed without a sweep
    const before = await stored();
    await sweep();
    expect((await reminders(due.client)).map((n) => n.message)).toEqual(['Your consultation starts in 3 minutes']);
    expect(await reminders(tooLate.client)).toEqual([]);
    expect(await stored()).toBe(before + 2);
  });
});
