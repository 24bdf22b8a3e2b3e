import { DataSource } from 'typeorm';
import { PushDeliveryEntity } from '@numerai/push';
import { ConnectionDirectory } from '@numerai/realtime';
import { JobRunner, ManualClock } from '@numerai/scheduler';
import { createConsultation, TestUser } from '../support/factories';
import { http } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { waitFor } from '../support/wait-for';
import { connect, TestSocket } from '../support/ws-client';
import { PushFixture } from './support/push-fixture';
import { LOCAL_PUSH_SERVICE_ENV } from './support/push-service';

const GRACE_MS = 10_000;
/** PushDeliveriesRepository's lease on a claim (60 s). */
const CLAIM_LEASE_MS = 60_000;
const SEND_CONCURRENCY = 2;
/** A body no push service sends: reading it is what took an instance from 183 to 1,466 MB (issue 23). */
const BODY_BOMB_BYTES = 64 * 1024 * 1024;
/** What a reader that stops at the headers lets the service write: socket buffers, a few MB at most. */
const UNREAD_BODY_BOUND = 8 * 1024 * 1024;

/**
 * When a notification is pushed, against a local push service that verifies every request
 * and decrypts it. The scheduler's clock is a ManualClock: nothing is due until the test
 * moves it, and `sweep()` runs the push job to completion, so "not pushed" is a finished
 * sweep that sent nothing, never a wait that saw nothing.
 */
describe('Web Push delivery', () => {
  const clock = new ManualClock();
  let server: TestServer;
  let push: PushFixture;
  const sockets: TestSocket[] = [];

  const sweep = () => server.app.get(JobRunner).runNow('push-deliveries');
  const delivered = (name: string) => push.pushService.delivered(name);
  const notificationsSocket = async (user: TestUser) => {
    const socket = await connect(`${server.wsUrl}/ws/notifications/`, { token: user.token });
    sockets.push(socket);
    await socket.next('unread_count');
    return socket;
  };
  const closed = async (socket: TestSocket, user: TestUser) => {
    await socket.close();
    const directory = server.app.get(ConnectionDirectory);
    await waitFor('the socket gone from the directory', async () => !(await directory.connectionCount(user.id)));
  };

  beforeAll(async () => {
    server = await startTestServer(
      { ...LOCAL_PUSH_SERVICE_ENV, PUSH_GRACE_MS: String(GRACE_MS), PUSH_SEND_CONCURRENCY: String(SEND_CONCURRENCY) },
      { clock },
    );
    push = await PushFixture.start(server);
  });
  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close()));
    await push?.close();
    await server?.close();
    expect(push?.pushService.problems ?? []).toEqual([]);
  });

  it('pushes to an offline user once the grace is over, not before: the verified, decrypted payload only', async () => {
    const user = await push.subscribedUser('offline');
    const notification = await push.notify(user, 'Offline news');
    await push.waitQueued(user);
    clock.advance(GRACE_MS - 1);
    await sweep();
    expect(delivered('offline')).toEqual([]);
    clock.advance(1);
    await sweep();
    expect(delivered('offline')).toEqual([
      { title: 'Offline news', body: 'Offline news: details', url: '/demo/', notification_id: notification.id },
    ]);
    const [received] = push.pushService.received.filter((r) => r.name === 'offline');
    expect(received.ttl).toBe('86400');
    expect(received.claims.aud).toBe(push.pushService.origin);
    expect(await push.queued(user)).toBe(0);
    await sweep();
    expect(delivered('offline')).toHaveLength(1);
  });

  it('pushes to every subscription (device) of the user', async () => {
    const user = await push.subscribedUser('phone');
    await push.subscribedUser('laptop', user);
    const notification = await push.notify(user, 'Both devices');
    await push.waitQueued(user, 2);
    clock.advance(GRACE_MS);
    await sweep();
    for (const device of ['phone', 'laptop']) {
      expect(delivered(device).map((p) => p.notification_id)).toEqual([notification.id]);
    }
  });

  it('does not push while a notifications socket is open; does once it is closed', async () => {
    const user = await push.subscribedUser('online');
    const socket = await notificationsSocket(user);
    const seen = await push.notify(user, 'Seen live');
    expect((await socket.next('notification')).data.id).toBe(seen.id);
    await push.waitQueued(user);
    clock.advance(GRACE_MS);
    await sweep();
    expect(await push.queued(user)).toBe(0); // decided: not pushed
    await closed(socket, user);
    const away = await push.notify(user, 'Away now');
    await push.waitQueued(user);
    clock.advance(GRACE_MS);
    await sweep();
    expect(delivered('online').map((p) => p.notification_id)).toEqual([away.id]);
  });

  it('does not push when the user reconnects within the grace (a reload)', async () => {
    const user = await push.subscribedUser('reload');
    await push.notify(user, 'During the reload');
    await push.waitQueued(user);
    clock.advance(GRACE_MS / 2);
    await sweep();
    const socket = await notificationsSocket(user);
    clock.advance(GRACE_MS / 2);
    await sweep();
    expect(await push.queued(user)).toBe(0);
    await closed(socket, user);
    const marker = await push.notify(user, 'Marker');
    await push.waitQueued(user);
    clock.advance(GRACE_MS);
    await sweep();
    expect(delivered('reload').map((p) => p.notification_id)).toEqual([marker.id]);
  });

  it('does not push a type whose push preference is off (it is still stored in-app)', async () => {
    const user = await push.subscribedUser('prefs');
    const off = { types: { daily_reading: { in_app: true, push: false } } };
    const put = await http(server.httpUrl, 'PUT', '/api/notifications/preferences', { token: user.token, body: off });
    expect(put.status).toBe(200);
    const quiet = await push.notify(user, 'Reading', 'daily_reading');
    const marker = await push.notify(user, 'Reminder', 'consultation_reminder');
    await push.waitQueued(user);
    clock.advance(GRACE_MS);
    await sweep();
    expect(delivered('prefs').map((p) => p.notification_id)).toEqual([marker.id]);
    const inApp = await http(server.httpUrl, 'GET', '/api/notifications', { token: user.token });
    expect(inApp.body.items.map((n: { id: string }) => n.id)).toContain(quiet.id);
  });

  it('pushes a chat message to an away participant with a bounded preview and a link to the consultation', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    await push.subscribedUser('chat', client);
    const chat = await connect(`${server.wsUrl}/ws/chat/${consultation.id}/`, { token: numerologist.token });
    sockets.push(chat);
    await chat.next('connection_established');
    const text = `${'🔢'.repeat(100)} ${'x'.repeat(200)} secret tail`;
    chat.send({ type: 'chat_message', message: text });
    await push.waitQueued(client);
    clock.advance(GRACE_MS);
    await sweep();
    const [payload] = delivered('chat');
    expect(payload.title).toBe('New message');
    expect(payload.url).toBe(`/demo/?consultation=${consultation.id}`);
    const body = Array.from(payload.body as string);
    expect(body.length).toBeLessThanOrEqual(120);
    expect(body.slice(0, 100).join('')).toBe('🔢'.repeat(100));
    expect(payload.body).not.toContain('secret tail');
    const listed = await http(server.httpUrl, 'GET', '/api/notifications', { token: client.token });
    expect(listed.body.items.map((n: { id: string }) => n.id)).toContain(payload.notification_id);
  });

  it('does not push a chat message once that chat is open (opened within the grace)', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    await push.subscribedUser('chat-open', client);
    const writer = await connect(`${server.wsUrl}/ws/chat/${consultation.id}/`, { token: numerologist.token });
    sockets.push(writer);
    await writer.next('connection_established');
    writer.send({ type: 'chat_message', message: 'are you there?' });
    await push.waitQueued(client);
    const reader = await connect(`${server.wsUrl}/ws/chat/${consultation.id}/`, { token: client.token });
    sockets.push(reader);
    await reader.next('connection_established');
    clock.advance(GRACE_MS);
    await sweep();
    expect(await push.queued(client)).toBe(0);
    expect(delivered('chat-open')).toEqual([]);
  });

  it('deletes the subscription when the push service answers 410', async () => {
    const user = await push.subscribedUser('gone');
    push.pushService.answer('gone', { status: 410 });
    await push.notify(user, 'Into the void');
    await push.waitQueued(user);
    clock.advance(GRACE_MS);
    await sweep();
    expect(push.pushService.received.filter((r) => r.name === 'gone').map((r) => r.status)).toEqual([410]);
    expect((await http(server.httpUrl, 'GET', '/api/push/subscriptions', { token: user.token })).body).toEqual([]);
    expect(await push.queued(user)).toBe(0);
  });

  it('reads nothing of an answer’s body: a 201 with 64 MB behind it counts as sent, the connection cut after the headers', async () => {
    const user = await push.subscribedUser('bomb');
    push.pushService.answer('bomb', { status: 201, bodyBytes: BODY_BOMB_BYTES });
    const notification = await push.notify(user, 'Heavy answer');
    await push.waitQueued(user);
    clock.advance(GRACE_MS);
    await sweep();
    expect(delivered('bomb').map((p) => p.notification_id)).toEqual([notification.id]);
    expect(await push.queued(user)).toBe(0);
    await waitFor('the answer’s connection closed', () => push.pushService.streamed.has('bomb'));
    expect(push.pushService.streamed.get('bomb')).toBeLessThan(UNREAD_BODY_BOUND);
  });

  it('sends at most PUSH_SEND_CONCURRENCY pushes at once', async () => {
    const user = await push.subscribedUser('many-0');
    const devices = ['many-0', 'many-1', 'many-2', 'many-3', 'many-4', 'many-5'];
    for (const device of devices.slice(1)) await push.subscribedUser(device, user);
    const notification = await push.notify(user, 'Everywhere');
    await push.waitQueued(user, devices.length);
    push.pushService.maxInFlight = 0;
    push.pushService.answerDelayMs = 100; // each answer takes a while, so unbounded sends would overlap
    try {
      clock.advance(GRACE_MS);
      await sweep();
    } finally {
      push.pushService.answerDelayMs = 0;
    }
    for (const device of devices) expect(delivered(device).map((p) => p.notification_id)).toEqual([notification.id]);
    expect(push.pushService.maxInFlight).toBeLessThanOrEqual(SEND_CONCURRENCY);
  });

  it('retries a 429 after its Retry-After, not before (its body unread)', async () => {
    const user = await push.subscribedUser('busy');
    push.pushService.answer('busy', { status: 429, headers: { 'retry-after': '30' }, bodyBytes: BODY_BOMB_BYTES });
    const notification = await push.notify(user, 'Patience');
    await push.waitQueued(user);
    clock.advance(GRACE_MS);
    await sweep();
    const statuses = () => push.pushService.received.filter((r) => r.name === 'busy').map((r) => r.status);
    expect(statuses()).toEqual([429]);
    await waitFor('the 429’s connection closed', () => push.pushService.streamed.has('busy'));
    expect(push.pushService.streamed.get('busy')).toBeLessThan(UNREAD_BODY_BOUND);
    clock.advance(29_999);
    await sweep();
    expect(statuses()).toEqual([429]);
    clock.advance(1);
    await sweep();
    expect(statuses()).toEqual([429, 201]);
    expect(delivered('busy').map((p) => p.notification_id)).toEqual([notification.id]);
  });

  it('takes over a send claimed by an instance that died before finishing it (after the claim lease)', async () => {
    const user = await push.subscribedUser('orphan');
    const notification = await push.notify(user, 'Left behind');
    await push.waitQueued(user);
    // As a dead instance leaves it: claimed (state `sending`) and never finished.
    const rows = server.app.get(DataSource).getRepository(PushDeliveryEntity);
    await rows.update({ userId: user.id }, { state: 'sending', claimedAt: clock.now(), attempts: 1 });
    clock.advance(CLAIM_LEASE_MS - 1);
    await sweep();
    expect(delivered('orphan')).toEqual([]);
    clock.advance(1);
    await sweep();
    expect(delivered('orphan').map((p) => p.notification_id)).toEqual([notification.id]);
    expect(await push.queued(user)).toBe(0);
  });

  it('retries 5xx with back-off and gives up after PUSH_MAX_ATTEMPTS', async () => {
    const user = await push.subscribedUser('down');
    const failing = Array.from({ length: 5 }, () => ({ status: 503 }));
    push.pushService.answer('down', ...failing);
    await push.notify(user, 'Never arrives');
    await push.waitQueued(user);
    clock.advance(GRACE_MS);
    await sweep();
    for (const backoff of [2000, 4000, 8000, 16_000]) {
      clock.advance(backoff);
      await sweep();
    }
    expect(push.pushService.received.filter((r) => r.name === 'down').map((r) => r.status)).toEqual(
      failing.map((f) => f.status),
    );
    expect(await push.queued(user)).toBe(0);
    const subscriptions = await http(server.httpUrl, 'GET', '/api/push/subscriptions', { token: user.token });
    expect(subscriptions.body).toHaveLength(1); // a failing service is not a gone subscription
  });
});

describe('Web Push delivery on the real clock', () => {
  let server: TestServer;
  let push: PushFixture;

  beforeAll(async () => {
    // A scheduler tick far away: only the wake-up the grace set can send it.
    server = await startTestServer({ ...LOCAL_PUSH_SERVICE_ENV, PUSH_GRACE_MS: '300', SCHEDULER_TICK_MS: '3600000' });
    push = await PushFixture.start(server);
  });
  afterAll(async () => {
    await push?.close();
    await server?.close();
    expect(push?.pushService.problems ?? []).toEqual([]);
  });

  it('sends it when the grace is over, without waiting for a scheduler tick', async () => {
    const user = await push.subscribedUser('realtime');
    const notification = await push.notify(user, 'On time');
    await waitFor('the push', () => push.pushService.delivered('realtime').length === 1, 10_000);
    expect(push.pushService.delivered('realtime')[0].notification_id).toBe(notification.id);
    // The row goes once the push service has answered, which is after it recorded the push.
    await push.waitQueued(user, 0);
  });
});
