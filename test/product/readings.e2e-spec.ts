import { DataSource, IsNull, Not } from 'typeorm';
import { newId } from '@numerai/database';
import { JobRunner, ManualClock, NotificationDeliveryEntity } from '@numerai/scheduler';
import { NotificationsService, NotificationEntity } from '@numerai/notifications';
import { createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE, expectError, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { notificationsOf, openNotifications, UUID } from '../ws/helpers';

noteSkippedPostgres('product: daily readings');

/**
 * Daily readings with the server's clock in the test's hands (a ManualClock injected into
 * the app): the sweep is run at chosen instants, across Berlin's switch to summer time
 * (2027-03-28, 02:00 CET → 03:00 CEST) and back (2027-10-31, 03:00 CEST → 02:00 CET).
 */
describe(`daily readings (${ENGINE})`, () => {
  let server: TestServer;
  const clock = new ManualClock('2027-03-27T05:00:00Z');
  const sweep = () => server.app.get(JobRunner).runNow('daily-readings');
  const profile = (user: TestUser, body: Record<string, unknown>) =>
    http(server.httpUrl, 'PATCH', '/api/users/me', { token: user.token, body });
  const get = (user: TestUser, path: string) => http(server.httpUrl, 'GET', path, { token: user.token });
  const dailyReadings = async (user: TestUser) =>
    (await notificationsOf(server, user)).filter((n) => n.notification_type === 'daily_reading');
  const storedDailyReadings = (userId: string) =>
    server.app.get(DataSource).getRepository(NotificationEntity).countBy({ userId, notificationType: 'daily_reading' });

  beforeAll(async () => {
    // A long tick: only the test's explicit sweeps run at the instants it chose.
    server = await startTestServer({ SCHEDULER_TICK_MS: '3600000' }, { clock });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function berliner(): Promise<TestUser> {
    const user = await createUser(server);
    expect(
      (await profile(user, { birth_date: '1985-03-17', birth_name: 'John Smith', time_zone: 'Europe/Berlin' })).status,
    ).toBe(200);
    return user;
  }

  describe('GET /api/readings/today and ?date=', () => {
    it("answers the reading of the caller's local day with the Pythagorean numbers and a text, the same row every time", async () => {
      clock.set('2027-03-27T23:30:00Z'); // already Sunday 00:30 in Berlin, still Saturday in UTC
      const user = await berliner();
      const res = await get(user, '/api/readings/today');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        date: '2027-03-28',
        // life path of 1985-03-17 is 7 (3 + 8 + 5 = 16 → 7); John Smith's expression is 8.
        // personal year 2027: 3 + 8 + (2+0+2+7 = 11 → 2) = 13 → 4; March: 4 + 3 = 7; the 28th: 7 + 10 → 1 + 7 = 8.
        numbers: { life_path: 7, personal_year: 4, personal_month: 7, personal_day: 8, expression: 8 },
        text: expect.stringContaining('Personal day 8'),
        created_at: expect.any(String),
      });
      expect((await get(user, '/api/readings/today')).body).toEqual(res.body);
      expect((await get(user, '/api/readings?date=2027-03-28')).body).toEqual(res.body);
    });

    it('409 naming the birth date while the user has none; 404 for a day with no reading; 400 for a bad date', async () => {
      clock.set('2027-03-27T12:00:00Z');
      const user = await createUser(server);
      expectError(await get(user, '/api/readings/today'), 409, 'birth_date');
      expectError(await get(user, '/api/readings?date=2027-03-27'), 409, 'birth_date');
      await profile(user, { birth_date: '1990-05-14' });
      expectError(await get(user, '/api/readings?date=2020-01-01'), 404);
      expectError(await get(user, '/api/readings?date=2027-02-30'), 400, 'date');
      expectError(await get(user, '/api/readings'), 400, 'date');
    });

    it("today's reading follows a change of birth date or birth name, under the same id; a past day keeps its own", async () => {
      clock.set('2027-03-26T12:00:00Z');
      const user = await berliner();
      const friday = await get(user, '/api/readings/today');
      clock.set('2027-03-27T12:00:00Z');
      const before = await get(user, '/api/readings/today');
      expect(before.body.numbers).toEqual({
        life_path: 7,
        personal_year: 4,
        personal_month: 7,
        personal_day: 7,
        expression: 8,
      });

      expect((await profile(user, { birth_date: '1990-05-14' })).status).toBe(200);
      const redated = await get(user, '/api/readings/today');
      // 1990-05-14: 5 + 5 + (1+9+9+0 = 19 → 10 → 1) = 11, a master number; 2027: 5 + 5 + 2 = 12 → 3; March 6; the 27th 6.
      expect(redated.body).toEqual({
        ...before.body,
        numbers: { life_path: 11, personal_year: 3, personal_month: 6, personal_day: 6, expression: 8 },
        text: expect.stringContaining('Life path 11'),
      });
      expect((await get(user, '/api/readings?date=2027-03-27')).body).toEqual(redated.body);

      expect((await profile(user, { birth_name: 'Jane Doe' })).status).toBe(200);
      const renamed = await get(user, '/api/readings?date=2027-03-27');
      // JANE 1+1+5+5 = 12 → 3, DOE 4+6+5 = 15 → 6: 9.
      expect(renamed.body).toEqual({
        ...redated.body,
        numbers: { ...redated.body.numbers, expression: 9 },
        text: expect.stringContaining('Expression 9'),
      });
      expect((await get(user, '/api/readings/today')).body).toEqual(renamed.body);
      expect((await get(user, '/api/readings?date=2027-03-26')).body).toEqual(friday.body);
    });

    it('a birth date in the years 0001–0099 gives a reading (Date.UTC would have read 0050 as 1950)', async () => {
      clock.set('2027-03-27T12:00:00Z');
      const user = await createUser(server);
      expect((await profile(user, { birth_date: '0050-06-15' })).body).toMatchObject({ birth_date: '0050-06-15' });
      const res = await get(user, '/api/readings/today');
      expect(res.status).toBe(200);
      // 6 + (1+5 = 6) + 5 = 17 → 8; 2027: 6 + 6 + 2 = 14 → 5; March 8; the 27th 8 + 9 = 17 → 8.
      expect(res.body.numbers).toEqual({
        life_path: 8,
        personal_year: 5,
        personal_month: 8,
        personal_day: 8,
        expression: null,
      });
    });

    it("never shows another user's reading", async () => {
      clock.set('2027-03-27T12:00:00Z');
      const [a, b] = [await berliner(), await createUser(server)];
      await get(a, '/api/readings/today');
      expectError(await get(b, '/api/readings?date=2027-03-27'), 409);
    });
  });

  describe('the daily_reading notification', () => {
    it('exactly the published example, once, at 07:00 local on the day Berlin moves to summer time and the day before', async () => {
      const user = await berliner();
      const inbox = await openNotifications(server, user);

      clock.set('2027-03-27T05:59:00Z'); // Saturday 06:59 CET
      await sweep();
      expect(await dailyReadings(user)).toEqual([]);

      clock.set('2027-03-27T06:00:00Z'); // Saturday 07:00 CET
      await sweep();
      await sweep(); // a second sweep (another instance, an overlapping tick) sends nothing more
      const saturday = await inbox.socket.next('notification');
      const reading = await get(user, '/api/readings?date=2027-03-27');
      expect(saturday.data).toEqual({
        id: expect.stringMatching(UUID),
        seq: expect.any(Number),
        title: 'Daily Reading Ready',
        message: 'Your daily reading is available',
        notification_type: 'daily_reading',
        is_read: false,
        created_at: expect.any(String),
        data: { reading_id: reading.body.id, date: '2027-03-27' },
      });

      clock.set('2027-03-28T04:59:00Z'); // Sunday 06:59 CEST (an hour earlier in UTC than on Saturday)
      await sweep();
      expect(await storedDailyReadings(user.id)).toBe(1);

      clock.set('2027-03-28T05:00:00Z'); // Sunday 07:00 CEST
      await sweep();
      clock.set('2027-03-28T21:59:00Z'); // still Sunday in Berlin: nothing more
      await sweep();
      const sunday = await inbox.socket.next('notification');
      expect(sunday.data.data).toEqual({ reading_id: expect.stringMatching(UUID), date: '2027-03-28' });
      expect(await storedDailyReadings(user.id)).toBe(2);
      await inbox.socket.close();
    });

    it('once on the day Berlin goes back to winter time, whose 02:00–03:00 happens twice', async () => {
      const user = await createUser(server);
      await profile(user, { birth_date: '1990-05-14', time_zone: 'Europe/Berlin' });
      // DAILY_READING_HOUR is 7 here, so use the repeated hour's instants to show they do not count twice
      // (with the sweep at both 02:30s) and that 07:00 CET still sends exactly one.
      for (const instant of ['2027-10-31T00:30:00Z', '2027-10-31T01:30:00Z', '2027-10-31T05:59:00Z']) {
        clock.set(instant);
        await sweep();
      }
      expect(await storedDailyReadings(user.id)).toBe(0);
      for (const instant of ['2027-10-31T06:00:00Z', '2027-10-31T06:30:00Z', '2027-10-31T22:59:00Z']) {
        clock.set(instant);
        await sweep();
      }
      expect((await dailyReadings(user)).map((n) => n.data)).toEqual([
        { reading_id: expect.stringMatching(UUID), date: '2027-10-31' },
      ]);
    });

    it('a reading due while the server was down goes out at the first sweep back, if it is still that local day', async () => {
      const user = await createUser(server);
      await profile(user, { birth_date: '1990-05-14', time_zone: 'America/New_York' });
      clock.set('2027-06-01T23:00:00Z'); // 19:00 in New York: 07:00 passed long ago, no sweep ran since
      await sweep();
      expect((await dailyReadings(user)).map((n) => n.data?.date)).toEqual(['2027-06-01']);
    });

    it('an instance that died between claiming and storing: its claim is taken over after the lease, under the same id', async () => {
      const [lost, stored] = [await berliner(), await berliner()];
      clock.set('2027-08-01T10:00:00Z');
      const deliveries = server.app.get(DataSource).getRepository(NotificationDeliveryEntity);
      const claim = (userId: string, notificationId: string) =>
        deliveries.insert({
          dedupeKey: `daily_reading:${userId}:2027-08-01`,
          userId,
          notificationId,
          claimedAt: new Date('2027-08-01T09:59:50Z'),
          completedAt: null,
        });
      const [lostId, storedId] = [newId(), newId()];
      await claim(lost.id, lostId); // died before storing
      await claim(stored.id, storedId); // died after storing, before marking it done
      // Stored through the one path that numbers notifications, as the dead instance had done.
      await server.app.get(NotificationsService).notify(stored.id, {
        id: storedId,
        title: 'Daily Reading Ready',
        message: 'Your daily reading is available',
        notification_type: 'daily_reading',
        data: { reading_id: newId(), date: '2027-08-01' },
      });
      await sweep(); // within the lease: the claims are still someone's
      expect(await storedDailyReadings(lost.id)).toBe(0);

      clock.set('2027-08-01T10:00:40Z');
      await sweep();
      await sweep();
      expect((await dailyReadings(lost)).map((n) => n.id)).toEqual([lostId]);
      expect((await dailyReadings(stored)).map((n) => n.id)).toEqual([storedId]);
      expect(await deliveries.countBy({ userId: lost.id, completedAt: Not(IsNull()) })).toBe(1);
    });

    it('users without a birth date get none; a user who switched daily_reading off gets none', async () => {
      const noBirthDate = await createUser(server);
      await profile(noBirthDate, { time_zone: 'Europe/Berlin' });
      const optedOut = await berliner();
      const put = await http(server.httpUrl, 'PUT', '/api/notifications/preferences', {
        token: optedOut.token,
        body: { types: { daily_reading: { in_app: false, push: false } } },
      });
      expect(put.status).toBe(200);
      clock.set('2027-07-01T10:00:00Z');
      await sweep();
      expect(await notificationsOf(server, noBirthDate)).toEqual([]);
      expect(await notificationsOf(server, optedOut)).toEqual([]);
      // The reading itself is still there for them to read.
      expect((await get(optedOut, '/api/readings/today')).body.date).toBe('2027-07-01');
    });
  });
});
