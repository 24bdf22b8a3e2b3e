import {
  chatEndpoint,
  chatStream,
  CLIENT_FRAMES_BY_ENDPOINT,
  declareStream,
  frame,
  int,
  obj,
  opt,
  streamEndpoint,
  type StreamItemOf,
  uuid,
  type ClientFrameMap,
  ENDPOINTS,
  handlerName,
  notificationsEndpoint,
  presenceEndpoint,
  type ServerFrameMap,
  STREAMS,
} from './index';

/** Compile-time equality: the derived types are exactly the published shapes. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T => true as T;

describe('the endpoint contract', () => {
  it('derives the frame types the published document shows', () => {
    assertType<Equal<ClientFrameMap['chat_message'], { type: 'chat_message'; message: string; client_id?: string }>>();
    assertType<Equal<ClientFrameMap['mark_all_read'], { type: 'mark_all_read' }>>();
    assertType<
      Equal<
        ServerFrameMap['typing_indicator'],
        { type: 'typing_indicator'; user_id: string; user_name: string; is_typing: boolean }
      >
    >();
    assertType<Equal<ServerFrameMap['user_offline'], { type: 'user_offline'; user_id: string; last_seen?: string }>>();
    expect(CLIENT_FRAMES_BY_ENDPOINT).toEqual({
      chat: ['chat_message', 'typing', 'read_receipt', 'ping', 'auth'],
      notifications: ['mark_read', 'mark_all_read', 'ping', 'auth'],
      presence: ['set_availability', 'ping', 'auth'],
      availability: ['list_available', 'set_availability', 'ping', 'auth'],
    });
    expect(Object.keys(notificationsEndpoint.server)).toContain('replay_complete');
  });

  it("publishes each stream's resume parameters on its endpoint, and its frame among the server frames", () => {
    for (const [name, stream] of Object.entries(STREAMS)) {
      const endpoint = ENDPOINTS[name as keyof typeof STREAMS];
      expect(Object.keys(endpoint.query)).toEqual([stream.resume.seq, stream.resume.id]);
      expect(endpoint.server[stream.frame.frameType as keyof typeof endpoint.server]).toBe(stream.frame);
    }
    expect(chatEndpoint.query).toEqual({
      last_seq: 'replay every message after this position, then replay_complete',
      last_message_id: 'the same by the id of the newest message the client holds',
    });
    assertType<Equal<StreamItemOf<typeof chatStream>, ServerFrameMap['chat_message']['data']>>();
  });

  it('derives the whole endpoint of a stream declared on its own', () => {
    const board = declareStream({
      endpoint: 'board',
      frame: frame('board_post', 'A post.', { data: obj({ id: uuid(), seq: opt(int()) }) }),
      item: 'post',
      key: { param: 'board_id', describe: 'the board' },
      resume: { seq: 'last_seq', id: 'last_post_id', unknownId: 'no such post' },
      page: { path: '/api/boards/{board_id}/posts', size: 50 },
    });
    const endpoint = streamEndpoint(board);
    expect(endpoint).toMatchObject({
      name: 'board',
      address: '/ws/board/{board_id}/',
      route: '/ws/board/:board_id',
      parameters: { board_id: 'the board' },
    });
    expect(Object.keys(endpoint.query)).toEqual(['last_seq', 'last_post_id']);
    expect(Object.keys(endpoint.client)).toEqual(['ping', 'auth']);
    expect(Object.keys(endpoint.server)).toEqual([
      'connection_established',
      'board_post',
      'replay_complete',
      'pong',
      'auth_ok',
      'error',
    ]);
    expect(endpoint.room('b1')).toBe('board:b1');
  });

  it('names rooms by endpoint and key, and handlers by frame type', () => {
    expect(chatEndpoint.room('c1')).toBe('chat:c1');
    expect(presenceEndpoint.room('u1')).toBe('presence:u1');
    expect(handlerName('mark_all_read')).toBe('onMarkAllRead');
    expect(handlerName('typing')).toBe('onTyping');
  });

  it('route and published address name the same path', () => {
    for (const endpoint of Object.values(ENDPOINTS)) {
      expect(`${endpoint.route.replace(/:(\w+)/g, '{$1}')}/`).toBe(endpoint.address);
      expect(Object.keys(endpoint.parameters)).toEqual([...endpoint.route.matchAll(/:(\w+)/g)].map((m) => m[1]));
    }
  });

  describe('inbound validation', () => {
    const chat = chatEndpoint.client.chat_message;

    it('keeps only declared fields and leaves absent or null optional ones out', () => {
      expect(chat.pick({ type: 'chat_message', message: 'hi', client_id: null, extra: 1 })).toEqual({
        value: { type: 'chat_message', message: 'hi' },
      });
      expect(chat.pick({ type: 'chat_message', message: 'hi', client_id: 'a' })).toEqual({
        value: { type: 'chat_message', message: 'hi', client_id: 'a' },
      });
    });

    it.each([
      [{ message: 42 }, ['message must be a string']],
      [{ message: 'x', client_id: '' }, ['client_id must be 1 to 64 characters']],
      [{ message: 'x', client_id: 'x'.repeat(65) }, ['client_id must be 1 to 64 characters']],
      [{ message: 'a\u0000b' }, ['message must not contain NUL characters or unpaired surrogates']],
      [{ message: 'x'.repeat(16_001) }, ['message must be at most 4000 characters']],
    ])('refuses %j', (fields, problems) => {
      expect(chat.pick({ type: 'chat_message', ...fields })).toEqual({ problems });
    });

    it('counts characters as the class-validator limits did (a pair or a variation selector is one)', () => {
      expect(chat.pick({ type: 'chat_message', message: '😀'.repeat(16_000) })).toHaveProperty('value');
    });

    it('checks ids, booleans and tokens', () => {
      expect(chatEndpoint.client.read_receipt.pick({ type: 'read_receipt', message_id: 'nope' })).toEqual({
        problems: ['message_id must be a UUID'],
      });
      expect(chatEndpoint.client.typing.pick({ type: 'typing', is_typing: 'yes' })).toEqual({
        problems: ['is_typing must be a boolean'],
      });
      expect(chatEndpoint.client.auth.pick({ type: 'auth', token: '' })).toEqual({
        problems: ['token must not be empty'],
      });
      expect(
        notificationsEndpoint.client.mark_read.pick({
          type: 'mark_read',
          notification_id: '6f1c1d2e-9a7b-4c3d-8e2f-1a2b3c4d5e6f',
        }),
      ).toEqual({
        value: { type: 'mark_read', notification_id: '6f1c1d2e-9a7b-4c3d-8e2f-1a2b3c4d5e6f' },
      });
    });
  });
});
