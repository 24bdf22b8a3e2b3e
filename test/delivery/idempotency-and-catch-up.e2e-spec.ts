import { DataSource } from 'typeorm';
import { TokenService } from '@numerai/auth';
import { NotificationsService } from '@numerai/notifications';
import { createConsultation, createUser, messageHistory } from '../support/factories';
import { waitFor } from '../support/wait-for';
import { decodeClaims, sidOf } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { testClient, type TestClient } from '@numerai/testing';

let server: TestServer;
let gateways: TestClient;
beforeAll(async () => {
  server = await startTestServer();
  gateways = testClient(server);
});
afterAll(() => server.close());

/** The whole stored history, oldest first. */
const history = (consultationId: string, token: string) => messageHistory(server, token, consultationId);

describe('idempotent sends', () => {
  test('the same client_id twice in a row: one row, two identical acknowledgements', async () => {
    const { consultation, client } = await createConsultation(server);
    const socket = await gateways.chat(client, consultation.id);
    socket.send('chat_message', { message: 'once only', client_id: 'retry-1' });
    const first = await socket.next('chat_message');
    socket.send('chat_message', { message: 'once only', client_id: 'retry-1' });
    const second = await socket.next('chat_message');
    expect(second).toEqual(first);
    expect(first.data.client_id).toBe('retry-1');
    expect((await history(consultation.id, client.token)).filter((m) => m.client_id === 'retry-1')).toHaveLength(1);
    await socket.close();
  });

  test('the same client_id concurrently from two connections: one row, identical acknowledgements', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    const [a, b, other] = await Promise.all([
      gateways.chat(client, consultation.id),
      gateways.chat(client, consultation.id),
      gateways.chat(numerologist, consultation.id),
    ]);
    a.send('chat_message', { message: 'race', client_id: 'race-1' });
    b.send('chat_message', { message: 'race', client_id: 'race-1' });
    const [ackA, ackB] = await Promise.all([a.next('chat_message'), b.next('chat_message')]);
    expect(ackA).toEqual(ackB);
    await other.next('chat_message');
    await other.expectSilence('chat_message');
    expect((await history(consultation.id, client.token)).filter((m) => m.client_id === 'race-1')).toHaveLength(1);
    await Promise.all([a.close(), b.close(), other.close()]);
  });
});

describe('acknowledged means stored', () => {
  test('when storing fails the sender gets an error with its ref and nobody receives the message', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    const sender = await gateways.chat(client, consultation.id);
    const receiver = await gateways.chat(numerologist, consultation.id);
    const db = server.app.get(DataSource);
    await db.query('ALTER TABLE chat_messages RENAME TO chat_messages_away');
    try {
      sender.send('chat_message', { message: 'lost?', client_id: 'fail-1' });
      expect(await sender.next('error')).toMatchObject({ type: 'error', code: 'internal', ref: 'fail-1' });
      await receiver.expectSilence('chat_message');
    } finally {
      await db.query('ALTER TABLE chat_messages_away RENAME TO chat_messages');
    }
    sender.send('chat_message', { message: 'lost?', client_id: 'fail-1' });
    expect((await receiver.next('chat_message')).data).toMatchObject({ content: 'lost?', client_id: 'fail-1' });
    expect(sender.all('chat_message')).toHaveLength(1);
    await Promise.all([sender.close(), receiver.close()]);
  });
});

describe('catch-up from the database', () => {
  test('50 missed messages replay in order, then replay_complete, then live, while a third connection keeps sending', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    const writer = await gateways.chat(numerologist, consultation.id);
    const busy = await gateways.chat(numerologist, consultation.id);
    const reader = await gateways.chat(client, consultation.id);
    writer.send('chat_message', { message: 'seen' });
    const seen = (await reader.next('chat_message')).data;
    expect((await writer.next('chat_message')).data.id).toBe(seen.id);
    await reader.close();

    const missed: string[] = [];
    for (let i = 0; i < 50; i++) {
      writer.send('chat_message', { message: `missed ${i}` });
      missed.push((await writer.next('chat_message')).data.id);
    }

    // A third connection keeps sending while the reader reconnects and replays, each message once
    // the previous one is acknowledged (paced by the server, not by a clock).
    let sending = true;
    let sentDuring = 0;
    const sender = (async () => {
      while (sending && sentDuring < 200) {
        const clientId = `during-${sentDuring++}`;
        busy.send('chat_message', { message: clientId, client_id: clientId });
        while ((await busy.next('chat_message')).data.client_id !== clientId);
      }
    })();
    const back = await gateways.chat(client, consultation.id, { query: { last_message_id: seen.id } });
    const complete = await back.next('replay_complete');
    sending = false;
    await sender;
    writer.send('chat_message', { message: 'live after replay' });

    // The booking's system message, 'seen', the 50 missed, those sent during the replay, the live one:
    // the whole history, paged (it can be longer than one page of 100).
    const total = 1 + 1 + 50 + sentDuring + 1;
    const { value: stored } = await waitFor(`${total} stored messages`, async () => {
      const all = await messageHistory(server, client.token, consultation.id);
      return all.length >= total && all;
    });
    const expected = stored.filter((m) => m.seq! > seen.seq!).map((m) => m.id);
    while ((await back.next('chat_message')).data.content !== 'live after replay');
    const received = back.all('chat_message').map((frame) => frame.data.id);
    const replayed = back.all('chat_message').slice(0, complete.count);
    // replay_complete came right after the replayed frames, before any live one.
    expect(back.socket.frames.findIndex((frame) => frame.type === 'replay_complete')).toBe(1 + complete.count);
    expect(replayed.slice(0, 50).map((f) => f.data.id)).toEqual(missed);
    expect(received).toEqual(expected);
    expect(new Set(received).size).toBe(received.length);
    await Promise.all([writer.close(), busy.close(), back.close()]);
  });

  test('an unknown last_message_id gets not_found and no replay', async () => {
    const { consultation, client } = await createConsultation(server);
    const socket = await gateways.chat(client, consultation.id, {
      query: {
        last_message_id: '01900000-0000-7000-8000-000000000000',
      },
    });
    expect(await socket.next('error')).toMatchObject({ code: 'not_found' });
    // The ping's answer is the marker: a replay would have come before it.
    socket.send('ping');
    expect(await socket.next('pong')).toEqual({ type: 'pong' });
    expect(socket.all('replay_complete')).toEqual([]);
    expect(socket.all('chat_message')).toEqual([]);
    await socket.close();
  });

  test('notifications replay after ?last_notification_id=', async () => {
    const user = await createUser(server);
    const notifications = server.app.get(NotificationsService);
    const first = await notifications.notify(user.id, { title: 't0', message: 'm0', notification_type: 'test' });
    const later = [];
    for (let i = 1; i <= 3; i++) {
      later.push(await notifications.notify(user.id, { title: `t${i}`, message: `m${i}`, notification_type: 'test' }));
    }
    const socket = await gateways.notifications(user, { query: { last_notification_id: first!.id } });
    expect(await socket.next('unread_count')).toEqual({ type: 'unread_count', count: 4 });
    for (const expected of later) expect((await socket.next('notification')).data).toEqual(expected);
    expect(await socket.next('replay_complete')).toEqual({ type: 'replay_complete', count: 3, has_more: false });
    await socket.close();
  });
});

describe('tokens on live sockets', () => {
  test('a token that expires in 2 s closes the socket with 4401 at expiry', async () => {
    const { consultation, client } = await createConsultation(server);
    const short = await server.app
      .get(TokenService)
      .issue({ id: client.id, fullName: client.name, role: 'user' }, sidOf(client.token), 2);
    const socket = await gateways.chat(client, consultation.id, { token: short.access_token });
    // At expiry, not before: the close comes after the token's `exp` (no upper bound on a loaded machine).
    const exp = decodeClaims(short.access_token).exp as number;
    expect(await socket.next('error', 15_000)).toMatchObject({ code: 'unauthorized' });
    expect((await socket.socket.closed).code).toBe(4401);
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000 - 1000);
  });

  test('a renewed token keeps the socket open; another user’s token is refused in-band', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    const tokens = server.app.get(TokenService);
    const short = await tokens.issue({ id: client.id, fullName: client.name, role: 'user' }, sidOf(client.token), 2);
    const socket = await gateways.chat(client, consultation.id, { token: short.access_token });
    socket.send('auth', { token: numerologist.token });
    expect(await socket.next('error')).toMatchObject({ code: 'unauthorized' });
    const fresh = await tokens.issue({ id: client.id, fullName: client.name, role: 'user' }, sidOf(client.token), 60);
    socket.send('auth', { token: fresh.access_token });
    const ok = await socket.next('auth_ok');
    expect(Date.parse(ok.expires_at)).toBeGreaterThan(Date.now() + 50_000);
    // Past the first token's expiry: the connection lives on the renewed one.
    const exp = decodeClaims(short.access_token).exp as number;
    await waitFor('the first token to expire', () => Date.now() > exp * 1000 + 1000);
    socket.send('ping');
    expect(await socket.next('pong')).toEqual({ type: 'pong' });
    await socket.close();
  });
});
