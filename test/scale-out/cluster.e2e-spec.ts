import { createConsultation, createUser } from '../support/factories';
import { http } from '../support/http';
import { connect } from '../support/ws-client';
import { Cluster, describeScaleOut, Instance, testClientsClosedAfterEach } from './support/cluster';

/**
 * Three instances as separate processes on one PostgreSQL database and one Redis: every
 * feature of one instance works the same with the two sides of it on different instances.
 */
const RATE_LIMIT = 60;
/** How long presence waits after a user's last connection closed before they are offline. */
const GRACE_MS = 1000;

/** Each instance serves /metrics on its public port to this bearer token (issue 17: not to anyone). */
const METRICS_TOKEN = 'cluster-metrics-token-0123456789';

describeScaleOut('scale-out: three instances, one chat, notification and presence view', () => {
  let cluster: Cluster;
  let A: Instance;
  let B: Instance;
  let C: Instance;
  const on = testClientsClosedAfterEach();

  beforeAll(async () => {
    cluster = await Cluster.start(3, {
      PRESENCE_GRACE_MS: String(GRACE_MS),
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      METRICS_TOKEN,
    });
    [A, B, C] = cluster.instances;
  }, 180_000);

  afterAll(() => cluster?.stopAndCheck({ noneDied: true }), 60_000);

  it('every instance reports database and redis up on /health', async () => {
    for (const instance of [A, B, C]) {
      expect(await instance.health()).toEqual({
        status: 200,
        body: { status: 'ok', checks: { database: 'up', redis: 'up' } },
      });
    }
  });

  it('the same client_id sent at once through two instances is stored once, with identical acknowledgements', async () => {
    const { consultation, client, numerologist } = await createConsultation(A);
    const [onA, onB, other] = await Promise.all([
      on(A).chat(client, consultation.id),
      on(B).chat(client, consultation.id),
      on(C).chat(numerologist, consultation.id),
    ]);
    onA.send('chat_message', { message: 'twice?', client_id: 'x-1' });
    onB.send('chat_message', { message: 'twice?', client_id: 'x-1' });
    const [ackA, ackB] = await Promise.all([onA.next('chat_message'), onB.next('chat_message')]);
    expect(ackA).toEqual(ackB);
    expect((await other.next('chat_message')).data.id).toBe(ackA.data.id);
    // The markers come the way a second copy would, from each instance after its acknowledgement:
    // whatever A or B published before them reached C first.
    onA.send('chat_message', { message: 'after A' });
    onB.send('chat_message', { message: 'after B' });
    const next = [await other.next('chat_message'), await other.next('chat_message')];
    expect(next.map((frame) => frame.data.content).sort()).toEqual(['after A', 'after B']);
    const history = await http(C.httpUrl, 'GET', `/api/consultations/${consultation.id}/messages`, {
      token: client.token,
    });
    expect(history.body.items.filter((m: { client_id?: string }) => m.client_id === 'x-1')).toHaveLength(1);
  });

  it('chat both ways, typing and read receipts between participants on different instances', async () => {
    const { consultation, client, numerologist } = await createConsultation(A);
    const clientChat = await on(A).chat(client, consultation.id);
    const numerologistChat = await on(B).chat(numerologist, consultation.id);
    // A second tab of the client, on a third instance: "every connection of both participants".
    const clientTab = await on(C).chat(client, consultation.id);

    clientChat.send('chat_message', { message: 'Hello from A', client_id: 'a-1' });
    const first = await numerologistChat.next('chat_message');
    expect(first.data).toMatchObject({ sender_id: client.id, content: 'Hello from A', client_id: 'a-1' });
    expect((await clientChat.next('chat_message')).data.id).toBe(first.data.id);
    expect((await clientTab.next('chat_message')).data.id).toBe(first.data.id);

    numerologistChat.send('chat_message', { message: 'Hello from B' });
    const reply = await clientChat.next('chat_message');
    expect(reply.data).toMatchObject({ sender_id: numerologist.id, content: 'Hello from B' });
    expect((await clientTab.next('chat_message')).data.id).toBe(reply.data.id);
    expect((await numerologistChat.next('chat_message')).data.id).toBe(reply.data.id);

    // Order per consultation holds across instances.
    for (let i = 0; i < 10; i++) clientChat.send('chat_message', { message: `burst ${i}` });
    const burst: string[] = [];
    for (let i = 0; i < 10; i++) burst.push((await numerologistChat.next('chat_message')).data.content);
    expect(burst).toEqual(Array.from({ length: 10 }, (_, i) => `burst ${i}`));

    clientChat.send('typing', { is_typing: true });
    expect(await numerologistChat.next('typing_indicator')).toEqual({
      type: 'typing_indicator',
      user_id: client.id,
      user_name: client.name,
      is_typing: true,
    });
    // Not to the typist's own tabs, wherever they are. The marker is published by A after the
    // typing, so a typing_indicator for the tab on C would have come before it.
    clientChat.send('chat_message', { message: 'after typing' });
    while ((await clientTab.next('chat_message')).data.content !== 'after typing');
    expect(clientTab.all('typing_indicator')).toEqual([]);

    numerologistChat.send('read_receipt', { message_id: first.data.id });
    expect(await clientChat.next('read_receipt')).toMatchObject({
      message_id: first.data.id,
      user_id: numerologist.id,
    });
    expect(await clientTab.next('read_receipt')).toMatchObject({ message_id: first.data.id, user_id: numerologist.id });

    // The numerologist had a chat open (on B) the whole time: no chat notification for them. The
    // marker: a message stored on A (like the client's above) in another consultation of theirs,
    // one they have no chat open to; its notification is the first and only one they get.
    const inbox = await on(C).notifications(numerologist);
    const elsewhere = await createConsultation(A, { numerologist });
    const marker = await on(A).chat(elsewhere.client, elsewhere.consultation.id);
    marker.send('chat_message', { message: 'marker' });
    expect((await inbox.next('notification')).data).toMatchObject({
      notification_type: 'chat_message',
      message: 'marker',
      data: { consultation_id: elsewhere.consultation.id },
    });
    const unread = await http(C.httpUrl, 'GET', '/api/notifications/unread-count', { token: numerologist.token });
    expect(unread.body).toEqual({ count: 1 });
  });

  it('a notification created on one instance reaches every tab on the others, with equal unread_count', async () => {
    const admin = await cluster.createAdmin(A);
    const user = await createUser(A);
    const tabA = await on(A).notifications(user);
    const tabC = await on(C).notifications(user);
    expect(await tabA.next('unread_count')).toEqual({ type: 'unread_count', count: 0 });
    expect(await tabC.next('unread_count')).toEqual({ type: 'unread_count', count: 0 });

    for (const [i, title] of ['One', 'Two'].entries()) {
      const created = await http(B.httpUrl, 'POST', '/api/admin/notifications', {
        token: admin.token,
        body: { user_id: user.id, title, message: 'm', notification_type: 'system' },
      });
      expect(created.status).toBe(201);
      for (const tab of [tabA, tabC]) {
        expect((await tab.next('notification')).data).toMatchObject({ id: created.body.id, title, is_read: false });
        expect(await tab.next('unread_count')).toEqual({ type: 'unread_count', count: i + 1 });
      }
    }

    // mark_read on A's tab: C's tab hears the new count too.
    const [newest] = (await http(B.httpUrl, 'GET', '/api/notifications', { token: user.token })).body.items;
    tabA.send('mark_read', { notification_id: newest.id });
    expect((await tabA.next('unread_count')).count).toBe(1);
    expect((await tabC.next('unread_count')).count).toBe(1);

    // The same through REST on the third instance.
    expect((await http(B.httpUrl, 'POST', '/api/notifications/read-all', { token: user.token })).status).toBe(200);
    expect((await tabA.next('unread_count')).count).toBe(0);
    expect((await tabC.next('unread_count')).count).toBe(0);
  });

  it('a chat message to a participant without an open chat becomes a notification on their instance', async () => {
    const { consultation, client, numerologist } = await createConsultation(B);
    const numerologistNotifications = await on(C).notifications(numerologist);
    await numerologistNotifications.next('unread_count');
    const clientChat = await on(A).chat(client, consultation.id);
    clientChat.send('chat_message', { message: 'Are you there?' });
    const notification = await numerologistNotifications.next('notification');
    expect(notification.data).toMatchObject({ notification_type: 'chat_message', message: 'Are you there?' });
    expect(await numerologistNotifications.next('unread_count')).toEqual({ type: 'unread_count', count: 1 });
  });

  it('presence: online and offline (after the grace period) across instances, contacts only', async () => {
    const { client, numerologist } = await createConsultation(A, { status: 'active' });
    const stranger = await createUser(A);
    const watcher = await on(A).presence(client);
    expect(await watcher.next('presence_state')).toEqual({ type: 'presence_state', users: [] });

    const numerologistPresence = await on(B).presence(numerologist);
    expect(await watcher.next('user_online')).toEqual({
      type: 'user_online',
      user_id: numerologist.id,
      user_name: numerologist.name,
    });
    // The numerologist's own snapshot, on B, shows the client connected on A.
    expect(await numerologistPresence.next('presence_state')).toEqual({
      type: 'presence_state',
      users: [{ user_id: client.id, user_name: client.name }],
    });

    // Someone who shares no consultation: nobody is told (checked at the end, behind the offline).
    const strangerSocket = await on(C).presence(stranger);

    // A reload that lands on another instance within the grace period does not flap. The grace
    // period is the subject: it passes, and no offline comes in it or before the marker after it.
    await numerologistPresence.close();
    const again = await on(C).notifications(numerologist);
    await watcher.socket.expectSilence(GRACE_MS + 500, 'user_offline');

    // Two connections on two instances: closing one keeps the user online.
    const second = await on(B).notifications(numerologist);
    await again.close();
    await watcher.socket.expectSilence(GRACE_MS + 500, 'user_offline');

    const lastClose = Date.now();
    await second.close();
    const offline = await watcher.next('user_offline', 5000);
    expect(offline).toMatchObject({ type: 'user_offline', user_id: numerologist.id, last_seen: expect.any(String) });
    // It is the offline of the last close (last_seen is when that closed; the same clock), and the
    // positive marker for all above: an offline or online they wrongly caused would have come before it.
    expect(Date.parse(offline.last_seen ?? '')).toBeGreaterThanOrEqual(lastClose);
    expect(watcher.all('user_offline')).toEqual([offline]);
    expect(watcher.all('user_online').map((frame) => frame.user_id)).toEqual([numerologist.id]);

    const rest = await http(C.httpUrl, 'GET', '/api/presence', { token: client.token });
    expect(rest.body.users).toEqual([{ user_id: numerologist.id, online: false, last_seen: offline.last_seen }]);
    await strangerSocket.close();
  });

  it('presence: a viewer connecting on another instance during a contact’s reload sees it online, and stays in step with REST (issue 23)', async () => {
    const { client, numerologist } = await createConsultation(A, { status: 'active' });
    const before = await on(A).notifications(numerologist);
    // The reload: the contact's last socket closes on A; the viewer connects on B inside the grace period.
    await before.close();
    const watcher = await on(B).presence(client);
    expect(await watcher.next('presence_state')).toEqual({
      type: 'presence_state',
      users: [{ user_id: numerologist.id, user_name: numerologist.name }],
    });
    const during = await http(C.httpUrl, 'GET', '/api/presence', { token: client.token });
    expect(during.body.users).toEqual([{ user_id: numerologist.id, online: true, last_seen: null }]);

    // The contact comes back on C: nothing to tell, not even once the grace period is over.
    const back = await on(C).notifications(numerologist);
    await watcher.socket.expectSilence(GRACE_MS + 500);
    expect(watcher.all('user_offline')).toEqual([]);
    const after = await http(A.httpUrl, 'GET', '/api/presence', { token: client.token });
    expect(after.body.users).toEqual([{ user_id: numerologist.id, online: true, last_seen: null }]);

    // And when it leaves for good, the viewer that was shown it online hears it go.
    await back.close();
    expect(await watcher.next('user_offline', 5000)).toMatchObject({ user_id: numerologist.id });
  });

  it('at most 20 connections per user across all instances', async () => {
    const user = await createUser(A);
    const instances = [A, B, C];
    for (let i = 0; i < 20; i++) await on(instances[i % 3]).notifications(user);
    for (const instance of instances) {
      const refused = await connect(`${instance.wsUrl}/ws/presence/`, { token: user.token });
      expect(await refused.next('error')).toMatchObject({ code: 'too_many_connections' });
      expect((await refused.closed).code).toBe(4429);
    }
  });

  it('one rate-limit budget per user across instances, REST and WebSocket frames alike', async () => {
    const user = await createUser(A);
    const half = RATE_LIMIT / 2;
    for (let i = 0; i < half; i++) {
      const res = await http(A.httpUrl, 'GET', '/api/notifications/unread-count', { token: user.token });
      expect(res.status).toBe(200);
    }
    const socket = await on(B).notifications(user);
    for (let i = 0; i < half; i++) socket.send('ping');
    for (let i = 0; i < half; i++) await socket.next('pong');
    socket.send('ping');
    expect(await socket.next('error')).toMatchObject({ code: 'rate_limited', retry_after_ms: expect.any(Number) });
    const refused = await http(C.httpUrl, 'GET', '/api/notifications/unread-count', { token: user.token });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('/metrics on every instance: connections, frames, errors, fan-out delay and dependency health', async () => {
    const { consultation, client, numerologist } = await createConsultation(A);
    const sender = await on(A).chat(client, consultation.id);
    const receiver = await on(B).chat(numerologist, consultation.id);
    sender.send('chat_message', { message: 'measured' });
    await receiver.next('chat_message');
    sender.socket.send('not json');
    await sender.next('error');

    const scrape = async (instance: Instance) => {
      const res = await fetch(`${instance.httpUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      return res.text();
    };
    const a = await scrape(A);
    const b = await scrape(B);
    expect(a).toMatch(/^numerai_ws_connections\{endpoint="chat"\} [1-9]/m);
    expect(a).toMatch(/^numerai_ws_frames_in_total\{type="chat_message"\} [1-9]/m);
    expect(a).toMatch(/^numerai_ws_errors_total\{code="invalid_json"\} [1-9]/m);
    expect(b).toMatch(/^numerai_ws_frames_out_total\{type="chat_message"\} [1-9]/m);
    expect(b).toMatch(/^numerai_fanout_delay_seconds_count\{source="remote"\} [1-9]/m);
    expect(a).toMatch(/^numerai_fanout_delay_seconds_count\{source="local"\} [1-9]/m);
    for (const text of [a, b]) {
      expect(text).toMatch(/^numerai_dependency_up\{dependency="database"\} 1$/m);
      expect(text).toMatch(/^numerai_dependency_up\{dependency="redis"\} 1$/m);
    }
  });
});
