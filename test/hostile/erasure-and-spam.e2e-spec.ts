import { DataSource } from 'typeorm';
import { NotificationEntity } from '@numerai/notifications';
import { JobRunner, ManualClock } from '@numerai/scheduler';
import { createUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { waitFor } from '../support/wait-for';
import { PushFixture } from '../push/support/push-fixture';
import { LOCAL_PUSH_SERVICE_ENV } from '../push/support/push-service';
import { history, notificationsOf, openChat } from '../ws/helpers';
import { ReliabilityRecorder } from './support/recorder';

/**
 * Issue 23's attacks on erasure and on lifecycle notifications: a book/cancel loop that floods
 * a numerologist with notifications and pushes titled with a name of the attacker's choosing,
 * and an erasure in the middle of a conversation that the other side keeps writing into.
 */
const recorder = new ReliabilityRecorder('erasure-and-spam');
const AREA = 'Erasure and spam';
const CYCLES = 60;
const WRITES = 20;
const GRACE_MS = 10_000;
const HOSTILE_NAME = 'URGENT: your account is suspended — log in at evil.example to restore it';
const FIXED_TITLES = ['Consultation booked', 'Consultation cancelled'];

describe(`hostile: erasure and spam (${ENGINE})`, () => {
  const clock = new ManualClock();
  let server: TestServer;
  let push: PushFixture;

  beforeAll(async () => {
    server = await startTestServer(
      {
        RATE_LIMIT_PER_MINUTE: '1000000',
        LOG_LEVEL: 'warn',
        PUSH_GRACE_MS: String(GRACE_MS),
        ...LOCAL_PUSH_SERVICE_ENV,
      },
      { clock },
    );
    push = await PushFixture.start(server);
  });
  afterAll(async () => {
    recorder.write();
    await push?.close();
    await server?.close();
  });

  it(`book/cancel loop: ${CYCLES} cycles at one numerologist, under a hostile name`, async () => {
    const numerologist = await push.subscribedUser('numerologist', await createUser(server, { role: 'numerologist' }));
    const attacker = await createUser(server, { name: HOSTILE_NAME });
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    let lastBooked: string | undefined;
    const started = Date.now();
    for (let i = 0; i < CYCLES; i++) {
      const booked = await http(server.httpUrl, 'POST', '/api/consultations', {
        token: attacker.token,
        body: { numerologist_id: numerologist.id },
      });
      statuses.push(booked.status);
      if (booked.status === 429) retryAfter ??= booked.headers.get('retry-after') ?? undefined;
      if (booked.status !== 201) continue;
      lastBooked = booked.body.id;
      await http(server.httpUrl, 'PATCH', `/api/consultations/${booked.body.id}`, {
        token: attacker.token,
        body: { status: 'cancelled' },
      });
    }
    const elapsedMs = Date.now() - started;
    // The last cycle's cancellation notice is the newest: once it is stored, the loop's notices are.
    await waitFor('the last cancellation notice', async () => {
      const [newest] = await notificationsOf(server, numerologist);
      return newest?.notification_type === 'consultation_cancelled' && newest.data?.consultation_id === lastBooked;
    });
    const notifications = await notificationsOf(server, numerologist);
    clock.advance(GRACE_MS);
    await server.app.get(JobRunner).runNow('push-deliveries');
    const pushes = push.pushService.delivered('numerologist');

    const created = statuses.filter((status) => status === 201).length;
    const limited = statuses.filter((status) => status === 429).length;
    const titles = [...notifications.map((n) => n.title), ...pushes.map((p) => String(p.title))];
    const titlesFixed = titles.every((title) => FIXED_TITLES.includes(title));
    const bodiesBounded = notifications.every((n) => n.message.length <= 80);
    const ok =
      created === 10 &&
      limited === CYCLES - 10 &&
      retryAfter !== undefined &&
      notifications.length <= 2 &&
      pushes.length <= 2 &&
      titlesFixed &&
      bodiesBounded;
    recorder.record({
      area: AREA,
      attack: `book/cancel loop: ${CYCLES} cycles by one client at one numerologist, named "${HOSTILE_NAME.slice(0, 40)}…"`,
      tried: CYCLES,
      expected:
        'at most BOOKINGS_PER_PAIR_PER_HOUR (10) bookings, the rest 429 with Retry-After; the unread booked/cancelled notice is replaced, not added to: ≤ 2 notifications and ≤ 2 pushes; titles fixed, the name only in a bounded body',
      seen: `${created} booked, ${limited} × 429 (Retry-After ${retryAfter ?? 'missing'} s) in ${elapsedMs} ms; the numerologist has ${notifications.length} notification(s), ${pushes.length} push(es); titles ${[...new Set(titles)].join(', ') || 'none'}`,
      ok,
    });
    expect(created).toBe(10);
    expect(limited).toBe(CYCLES - 10);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(notifications.length).toBeLessThanOrEqual(2);
    expect(pushes.length).toBeLessThanOrEqual(2);
    expect(titles.filter((title) => !FIXED_TITLES.includes(title))).toEqual([]);
    expect(bodiesBounded).toBe(true);
  }, 120_000);

  it(`erasure mid-conversation: the other participant keeps writing (${WRITES} messages)`, async () => {
    const client = await createUser(server, { name: 'Quillon Vanishing' });
    const numerologist = await createUser(server, { role: 'numerologist' });
    const booked = await http(server.httpUrl, 'POST', '/api/consultations', {
      token: client.token,
      body: { numerologist_id: numerologist.id },
    });
    const consultationId: string = booked.body.id;
    await http(server.httpUrl, 'PATCH', `/api/consultations/${consultationId}`, {
      token: numerologist.token,
      body: { status: 'active' },
    });
    const chat = await openChat(server, consultationId, numerologist);
    const answers: Promise<string>[] = [];
    for (let i = 0; i < WRITES; i++) {
      chat.send({ type: 'chat_message', message: `message ${i}`, client_id: `w${i}` });
      if (i === WRITES / 4) {
        answers.push(
          http(server.httpUrl, 'DELETE', '/api/users/me', {
            token: client.token,
            body: { password: client.password },
          }).then((res) => `erase ${res.status}`),
        );
      }
    }
    const erased = await Promise.all(answers);
    // Every write is answered: its acknowledgement (stored) or consultation_closed (refused).
    await waitFor('every write answered', async () => {
      const acks = chat.frames.filter((f) => f.type === 'chat_message' && f.data.client_id?.startsWith('w')).length;
      const refusals = chat.frames.filter((f) => f.type === 'error' && f.ref?.startsWith('w')).length;
      return acks + refusals === WRITES;
    });
    const stored = chat.frames.filter((f) => f.type === 'chat_message' && f.data.client_id?.startsWith('w')).length;
    const refused = WRITES - stored;
    // The erasure's cancellation, announced after its commit, is the chat's last word: the marker.
    await waitFor('the cancellation system message', async () =>
      chat.frames.some((f) => f.type === 'chat_message' && f.data.event === 'consultation_cancelled'),
    );
    const rowsForErased = await server.app
      .get(DataSource)
      .getRepository(NotificationEntity)
      .countBy({ userId: client.id });
    const seen = JSON.stringify([
      await history(server, numerologist, consultationId),
      await notificationsOf(server, numerologist),
    ]);
    const nameGone = !seen.includes('Quillon') && !seen.includes('Vanishing');
    const ok = erased[0] === 'erase 204' && rowsForErased === 0 && nameGone;
    recorder.record({
      area: AREA,
      attack: `erase an account while the other participant sends ${WRITES} chat messages into the consultation`,
      tried: WRITES + 1,
      expected:
        'erasure commits at once; the consultation ends, later writes are refused (consultation_closed); no notification row for the erased account; its name nowhere in the other side’s history or notifications',
      seen: `${erased[0]}; ${stored} stored before the end, ${refused} refused; ${rowsForErased} notification row(s) for the erased account; old name ${nameGone ? 'gone' : 'still shown'}`,
      ok,
    });
    expect(erased).toEqual(['erase 204']);
    expect(rowsForErased).toBe(0);
    expect(nameGone).toBe(true);
    await chat.close();
  }, 60_000);
});
