import { connect } from '../support/ws-client';
import { createConsultation } from '../support/factories';
import { startTestServer, TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

test('chat round trip', async () => {
  const { consultation, client, numerologist } = await createConsultation(server);
  const a = await connect(`${server.wsUrl}/ws/chat/${consultation.id}/`, { token: client.token });
  const b = await connect(`${server.wsUrl}/ws/chat/${consultation.id}`, { token: numerologist.token });
  expect(await a.next()).toEqual({
    type: 'connection_established',
    message: 'Connected to chat',
    consultation_id: consultation.id,
  });
  await b.next('connection_established');
  a.send({ type: 'chat_message', message: 'Hello!' });
  const got = await b.next('chat_message');
  expect(got.data.content).toBe('Hello!');
  expect((await a.next('chat_message')).data.id).toBe(got.data.id);
  a.send({ type: 'typing', is_typing: true });
  expect(await b.next('typing_indicator')).toMatchObject({ user_id: client.id, is_typing: true });
  a.send('nope');
  expect(await a.next('error')).toMatchObject({ code: 'invalid_json' });
  await a.close();
  await b.close();
});
