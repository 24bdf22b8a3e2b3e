import { DataSource } from 'typeorm';
import { createConsultation } from '../support/factories';
import { http } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import {
  chatUrl,
  closeAll,
  errorFrame,
  expectRefused,
  openChat,
  openNotifications,
  openPresence,
  withTimeout,
} from './helpers';

/**
 * The server's own failures, made real (a table the code needs goes missing; the server
 * shuts down) rather than mocked: `internal`, 1011 and 1001.
 */
describe('ws: server failures and shutdown', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const sql = (statement: string) => server.app.get(DataSource).query(statement);

  it('a message that cannot be stored is an internal error, delivered to nobody; the connection and process survive', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    const a = await openChat(server, consultation.id, client);
    const b = await openChat(server, consultation.id, numerologist);
    await sql('ALTER TABLE chat_messages RENAME TO chat_messages_away');
    try {
      a.send({ type: 'chat_message', message: 'lost?', client_id: 'k-1' });
      expect(await a.next()).toEqual(errorFrame('internal', { ref: 'k-1' }));
      await b.expectSilence();
      a.send({ type: 'ping' });
      expect(await a.next()).toEqual({ type: 'pong' });
    } finally {
      await sql('ALTER TABLE chat_messages_away RENAME TO chat_messages');
    }
    // The advised retry with the same client_id works once storage is back, and is stored once.
    a.send({ type: 'chat_message', message: 'lost?', client_id: 'k-1' });
    expect((await b.next('chat_message')).data).toMatchObject({ content: 'lost?', client_id: 'k-1' });
    await closeAll(a, b);
  });

  it('an unexpected failure during admission → internal, close 1011 (other endpoints unaffected)', async () => {
    const { consultation, client } = await createConsultation(server);
    await sql('ALTER TABLE consultations RENAME TO consultations_away');
    try {
      await expectRefused(chatUrl(server, consultation.id), { token: client.token }, 1011, 'internal');
      const { socket } = await openNotifications(server, client);
      await socket.close();
    } finally {
      await sql('ALTER TABLE consultations_away RENAME TO consultations');
    }
    const chat = await openChat(server, consultation.id, client);
    await chat.close();
    // The failure is logged, with the URL but never the token.
    const logged = server.logs.filter((line) => line.includes('admission failed'));
    expect(logged.length).toBeGreaterThanOrEqual(1);
    expect(logged.join('\n')).toContain('token=[redacted]');
    expect(server.logs.join('\n')).not.toContain(client.token.split('.')[2]);
  });

  it('shutting down closes every open socket with 1001', async () => {
    // Its own server, so the suite's other tests keep theirs whatever order they run in.
    const server = await startTestServer();
    const { consultation, client, numerologist } = await createConsultation(server);
    const sockets = [
      await openChat(server, consultation.id, client),
      (await openNotifications(server, numerologist)).socket,
      (await openPresence(server, client)).socket,
    ];
    const closing = server.close();
    for (const socket of sockets) {
      expect((await withTimeout(socket.closed, 5000, 'close 1001')).code).toBe(1001);
    }
    await closing;
    await expect(http(server.httpUrl, 'GET', '/health')).rejects.toThrow();
  });
});
