import { ConnectionRefused, http, startTestApp, testClient, waitFor, type TestApp } from '@numerai/testing';

/** apps/api/testing as another module's integration test uses it (README: "Testing your module against the gateways"). */
describe('@numerai/testing', () => {
  let app: TestApp;
  beforeAll(async () => (app = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '1000' } })));
  afterAll(() => app.close());

  it('a chat message reaches the other participant (the README example)', async () => {
    const client = testClient(app);
    const { consultation, client: user, numerologist } = await client.createConsultation();
    const [mine, theirs] = await Promise.all([
      client.chat(user, consultation.id),
      client.chat(numerologist, consultation.id),
    ]);
    mine.send('chat_message', { message: 'hello' });
    expect((await theirs.next('chat_message')).data.content).toBe('hello');
    await theirs.expectSilence('chat_message');
    // @ts-expect-error -- the chat endpoint never sends presence frames: the contract says so at compile time.
    const notOnChat: Parameters<typeof theirs.next>[0] = 'presence_state';
    expect(notOnChat).toBe('presence_state');
    await Promise.all([mine.close(), theirs.close()]);
  });

  it('expectSilence fails when a frame came before the marker', async () => {
    const client = testClient(app);
    const { consultation, client: user, numerologist } = await client.createConsultation();
    const [mine, theirs] = await Promise.all([
      client.chat(user, consultation.id),
      client.chat(numerologist, consultation.id),
    ]);
    mine.send('chat_message', { message: 'not silent' });
    await mine.next('chat_message');
    await expect(theirs.expectSilence('chat_message')).rejects.toThrow(/expected no chat_message/);
    await Promise.all([mine.close(), theirs.close()]);
  });

  it('notifications resume with last_seq and end the replay with replay_complete; presence opens with its state', async () => {
    const client = testClient(app);
    const { consultation, client: user, numerologist } = await client.createConsultation({ status: 'active' });
    const inbox = await client.notifications(numerologist);
    expect(await inbox.next('unread_count')).toEqual({ type: 'unread_count', count: 0 });
    await inbox.close();
    // The numerologist is away: the chat message becomes a notification.
    const chat = await client.chat(user, consultation.id);
    chat.send('chat_message', { message: 'while you were away' });
    await chat.next('chat_message');
    // The notification is stored by an event handler after the message: resume once it is there.
    await waitFor('the chat notification to be stored', async () => {
      const res = await http<{ count: number }>(app.httpUrl, 'GET', '/api/notifications/unread-count', {
        token: numerologist.token,
      });
      return res.body.count === 1;
    });
    const back = await client.notifications(numerologist, { query: { last_seq: '0' } });
    const missed = await back.next('notification');
    expect(missed.data.notification_type).toBe('chat_message');
    expect(await back.next('replay_complete')).toMatchObject({ type: 'replay_complete', has_more: false });
    const presence = await client.presence(user);
    expect((await presence.next('presence_state')).users.map((u) => u.user_id)).toEqual([numerologist.id]);
    await Promise.all([chat.close(), back.close(), presence.close()]);
  });

  it('a refused connection throws ConnectionRefused with the error frame and close code; history pages', async () => {
    const client = testClient(app);
    const { consultation, client: user } = await client.createConsultation();
    const outsider = await client.createUser();
    const refused = await client.chat(outsider, consultation.id).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConnectionRefused);
    expect(refused).toMatchObject({ frame: { type: 'error', code: 'forbidden' }, closeCode: 4403 });
    const chat = await client.chat(user, consultation.id);
    for (let i = 0; i < 120; i++) chat.send('chat_message', { message: `m${i}` });
    for (let i = 0; i < 120; i++) await chat.next('chat_message');
    const history = await client.history(user, consultation.id);
    expect(history.filter((m) => m.message_type === 'text').map((m) => m.content)).toEqual(
      Array.from({ length: 120 }, (_, i) => `m${i}`),
    );
    await chat.close();
  });
});
