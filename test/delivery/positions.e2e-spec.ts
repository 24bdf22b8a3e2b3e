import { NotificationsService } from '@numerai/notifications';
import type { ChatMessageData, NotificationData } from '@numerai/protocol';
import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { expectError } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { testClient, type TestClient } from '@numerai/testing';
import { say } from '../ws/helpers';

/** Positions on the wire and in REST: `seq`, `?last_seq=`, `before_seq` / `after_seq`, REPLAY_MAX. */
const REPLAY_MAX = 5;

let server: TestServer;
let gateways: TestClient;
beforeAll(async () => {
  server = await startTestServer({ REPLAY_MAX: String(REPLAY_MAX) });
  gateways = testClient(server);
});
afterAll(() => server.close());

const messagesPath = (id: string) => `/api/consultations/${id}/messages`;

async function get<T>(path: string, user: TestUser) {
  return http<T>(server.httpUrl, 'GET', path, { token: user.token });
}

/**
 * A consultation with `count` messages from its numerologist; returns them as their echoes showed
 * them. Position 1 is the booking's system message, so they are 2 … count + 1.
 */
async function conversation(count: number) {
  const setup = await createConsultation(server);
  const writer = await gateways.chat(setup.numerologist, setup.consultation.id);
  const sent: ChatMessageData[] = [];
  for (let i = 0; i < count; i++) sent.push(await say(writer.socket, `message ${i + 1}`));
  await writer.close();
  return { ...setup, sent };
}

describe('chat positions', () => {
  test('every message carries seq 1, 2, 3 …; a resend is answered with the stored seq', async () => {
    const { consultation, client, sent } = await conversation(3);
    expect(sent.map((message) => message.seq)).toEqual([2, 3, 4]);
    const chat = await gateways.chat(client, consultation.id);
    const first = await say(chat.socket, 'keyed', 'k-1');
    expect(first.seq).toBe(5);
    expect(await say(chat.socket, 'keyed', 'k-1')).toEqual(first);
    expect((await say(chat.socket, 'next')).seq).toBe(6);
    await chat.close();
  });

  test('?last_seq= replays after that position; past the newest it replays nothing; anything else is validation_failed', async () => {
    const { consultation, client, sent } = await conversation(4);
    const resumed = await gateways.chat(client, consultation.id, { query: { last_seq: '3' } });
    expect((await resumed.next('chat_message')).data).toEqual(sent[2]);
    expect((await resumed.next('chat_message')).data).toEqual(sent[3]);
    expect(await resumed.next('replay_complete')).toEqual({ type: 'replay_complete', count: 2, has_more: false });

    const ahead = await gateways.chat(client, consultation.id, { query: { last_seq: '99' } });
    expect(await ahead.socket.next()).toEqual({ type: 'replay_complete', count: 0, has_more: false });

    for (const bad of ['-1', 'abc', '1.5', '']) {
      const { socket } = await gateways.chat(client, consultation.id, { query: { last_seq: bad } });
      expect(await socket.next()).toMatchObject({ type: 'error', code: 'validation_failed' });
      socket.send({ type: 'ping' });
      expect(await socket.next()).toEqual({ type: 'pong' }); // no replay came before the marker
      await socket.close();
    }
    await Promise.all([resumed.close(), ahead.close()]);
  });

  test('a replay stops at REPLAY_MAX with has_more; REST after_seq pages the rest, oldest first', async () => {
    const { consultation, client, sent } = await conversation(REPLAY_MAX + 3);
    const chat = await gateways.chat(client, consultation.id, { query: { last_message_id: sent[0].id } });
    for (const expected of sent.slice(1, 1 + REPLAY_MAX)) {
      expect((await chat.next('chat_message')).data).toEqual(expected);
    }
    expect(await chat.socket.next()).toEqual({ type: 'replay_complete', count: REPLAY_MAX, has_more: true });

    const rest = await get<{ items: ChatMessageData[]; next_before: null; next_after_seq: number | null }>(
      `${messagesPath(consultation.id)}?after_seq=${REPLAY_MAX + 2}&limit=1`,
      client,
    );
    expect(rest.status).toBe(200);
    expect(rest.body).toEqual({ items: [sent[REPLAY_MAX + 1]], next_before: null, next_after_seq: REPLAY_MAX + 3 });
    const last = await get<{ items: ChatMessageData[] }>(
      `${messagesPath(consultation.id)}?after_seq=${REPLAY_MAX + 3}`,
      client,
    );
    expect(last.body).toEqual({ items: [sent[REPLAY_MAX + 2]], next_before: null, next_after_seq: null });
    await chat.close();
  });

  test('REST history pages by before_seq and by before (an id), newest first; mixing them is a 400', async () => {
    const { consultation, client, sent } = await conversation(5);
    const page = await get<{ items: ChatMessageData[]; next_before: string }>(
      `${messagesPath(consultation.id)}?before_seq=6&limit=2`,
      client,
    );
    expect(page.body).toEqual({ items: [sent[3], sent[2]], next_before: sent[2].id });
    const byId = await get(`${messagesPath(consultation.id)}?before=${page.body.next_before}&limit=2`, client);
    // The booking's system message is still before them.
    expect(byId.body).toEqual({ items: [sent[1], sent[0]], next_before: sent[0].id });
    expectError(await get(`${messagesPath(consultation.id)}?before_seq=3&after_seq=1`, client), 400);
    expectError(await get(`${messagesPath(consultation.id)}?after_seq=-1`, client), 400, 'after_seq');
    expectError(await get(`${messagesPath(consultation.id)}?before_seq=x`, client), 400, 'before_seq');
  });
});

describe('notification positions', () => {
  test('per-user seq; ?last_seq= replays after it (bounded); REST after_seq pages oldest first', async () => {
    const user = await createUser(server);
    const other = await createUser(server);
    const notifications = server.app.get(NotificationsService);
    const notify = async (to: TestUser, i: number) => {
      const stored = await notifications.notify(to.id, { title: `t${i}`, message: `m${i}`, notification_type: 'test' });
      if (!stored) throw new Error('every notification type is on by default');
      return stored;
    };
    const mine: NotificationData[] = [];
    for (let i = 1; i <= REPLAY_MAX + 2; i++) {
      mine.push(await notify(user, i));
      await notify(other, i); // another user's stream does not move this one's positions
    }
    expect(mine.map((notification) => notification.seq)).toEqual(mine.map((_, i) => i + 1));

    const socket = await gateways.notifications(user, { query: { last_seq: '1' } });
    await socket.next('unread_count');
    for (const expected of mine.slice(1, 1 + REPLAY_MAX)) {
      expect((await socket.next('notification')).data).toEqual(expected);
    }
    expect(await socket.next('replay_complete')).toEqual({
      type: 'replay_complete',
      count: REPLAY_MAX,
      has_more: true,
    });

    const rest = await get<{ items: NotificationData[] }>(`/api/notifications?after_seq=${REPLAY_MAX + 1}`, user);
    expect(rest.body).toEqual({ items: [mine[REPLAY_MAX + 1]], next_before: null, next_after_seq: null });
    const newest = await get<{ items: NotificationData[] }>('/api/notifications?limit=2', user);
    expect(newest.body.items).toEqual([mine[REPLAY_MAX + 1], mine[REPLAY_MAX]]);
    await socket.close();
  });
});
