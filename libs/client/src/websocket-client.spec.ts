import type { ServerFrame } from '@numerai/protocol';
import {
  createAvailabilityWebSocket,
  createChatWebSocket,
  createClient,
  createNotificationsWebSocket,
  createPresenceWebSocket,
} from './factories';
import { jwtWith } from './jwt.test-support';
import type { ChatWebSocketOptions, WebSocketLike } from './types';

/**
 * An in-memory WebSocket: each instance is one connection attempt, driven by the test
 * (`accept`, `serverSend`, `serverClose`). Timers are Jest's fake ones, so backoff delays
 * are measured exactly.
 */
class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closedWith: { code?: number; reason?: string } | undefined;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }

  static get last(): FakeSocket {
    return FakeSocket.instances[FakeSocket.instances.length - 1];
  }

  get query(): URLSearchParams {
    return new URL(this.url).searchParams;
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  /** Upgrade accepted and authenticated: open + connection_established. */
  accept(extra: ServerFrame[] = []): void {
    this.readyState = 1;
    this.onopen?.({});
    this.serverSend({ type: 'connection_established', message: 'Connected' });
    for (const frame of extra) this.serverSend(frame);
  }

  serverSend(frame: ServerFrame | Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  /** The upgrade is accepted, then refused the way the server refuses: error frame, close code. */
  refuse(code: number, errorCode: 'unauthorized' | 'forbidden' | 'not_found' = 'forbidden'): void {
    this.readyState = 1;
    this.onopen?.({});
    this.serverSend({ type: 'error', code: errorCode, message: 'refused' });
    this.serverClose(code);
  }
}

const BASE: ChatWebSocketOptions = {
  baseUrl: 'ws://api.test',
  WebSocket: FakeSocket,
  random: () => 0.5, // nominal delays unless a test says otherwise
};

function message(id: string, client_id?: string): ServerFrame {
  return {
    type: 'chat_message',
    data: {
      id,
      sender_id: 'u1',
      sender_name: 'Ann',
      content: `m ${id}`,
      created_at: '2024-01-15T10:00:00.000Z',
      message_type: 'text',
      ...(client_id ? { client_id } : {}),
    },
  };
}

beforeEach(() => {
  FakeSocket.instances = [];
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

describe('connecting', () => {
  it('opens the published URL with the token and reports the connection', () => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    expect(FakeSocket.last.url).toBe('ws://api.test/ws/chat/c-1/?token=tok');
    expect(ws.state).toBe('connecting');
    const connected = jest.fn();
    ws.onConnect(connected);
    FakeSocket.last.accept();
    expect(ws.state).toBe('open');
    expect(ws.isConnected).toBe(true);
    expect(connected).toHaveBeenCalledWith({ reconnected: false });
  });

  it('uses the notifications and presence paths', () => {
    createNotificationsWebSocket('t', BASE);
    expect(FakeSocket.last.url).toBe('ws://api.test/ws/notifications/?token=t');
    createPresenceWebSocket('t', BASE);
    expect(FakeSocket.last.url).toBe('ws://api.test/ws/presence/?token=t');
  });

  it("createClient fills in defaults for its own factories only; a client's options win", () => {
    const local = createClient({ ...BASE, baseUrl: 'ws://defaults.test' });
    local.createPresenceWebSocket('t');
    expect(FakeSocket.last.url).toBe('ws://defaults.test/ws/presence/?token=t');
    local.createChatWebSocket('c-1', 't', { baseUrl: 'ws://own.test' });
    expect(FakeSocket.last.url).toBe('ws://own.test/ws/chat/c-1/?token=t');
    createClient({ ...BASE, baseUrl: 'ws://other.test' });
    local.createNotificationsWebSocket('t');
    expect(FakeSocket.last.url).toBe('ws://defaults.test/ws/notifications/?token=t');
  });

  it('does not connect until connect() with autoConnect: false', () => {
    const ws = createPresenceWebSocket('t', { ...BASE, autoConnect: false });
    expect(ws.state).toBe('idle');
    expect(FakeSocket.instances).toHaveLength(0);
    ws.connect();
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('delivers frames to the handlers of their type, and unsubscribe stops them', () => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    const messages = jest.fn();
    const typing = jest.fn();
    const off = ws.on('chat_message', messages);
    ws.on('typing_indicator', typing);
    FakeSocket.last.accept([message('m1')]);
    FakeSocket.last.serverSend({ type: 'typing_indicator', user_id: 'u2', user_name: 'Bo', is_typing: true });
    expect(messages).toHaveBeenCalledWith(message('m1'));
    expect(typing).toHaveBeenCalledTimes(1);
    off();
    off();
    FakeSocket.last.serverSend(message('m2'));
    expect(messages).toHaveBeenCalledTimes(1);
  });

  it('one throwing handler neither breaks the client nor the other handlers', () => {
    const onHandlerError = jest.fn();
    const ws = createChatWebSocket('c-1', 'tok', { ...BASE, onHandlerError });
    const second = jest.fn();
    ws.on('chat_message', () => {
      throw new Error('boom');
    });
    ws.on('chat_message', second);
    FakeSocket.last.accept([message('m1')]);
    expect(second).toHaveBeenCalledTimes(1);
    expect(onHandlerError).toHaveBeenCalledWith(expect.objectContaining({ message: 'boom' }));
    expect(ws.state).toBe('open');
  });

  it('ignores frames that are not JSON objects with a type', () => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    FakeSocket.last.accept();
    FakeSocket.last.onmessage?.({ data: 'not json' });
    FakeSocket.last.onmessage?.({ data: '[1,2]' });
    FakeSocket.last.onmessage?.({ data: new Uint8Array([1, 2]) });
    expect(ws.state).toBe('open');
  });

  it('decodes text frames that arrive as bytes', () => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    const seen = jest.fn();
    ws.on('chat_message', seen);
    FakeSocket.last.accept();
    FakeSocket.last.onmessage?.({ data: new TextEncoder().encode(JSON.stringify(message('m9'))) });
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it('abandons an attempt that gets no connection_established in time and retries', () => {
    const ws = createChatWebSocket('c-1', 'tok', { ...BASE, connectTimeoutMs: 3000 });
    jest.advanceTimersByTime(2999);
    expect(FakeSocket.instances).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(FakeSocket.instances[0].closedWith).toBeDefined();
    expect(ws.state).toBe('reconnecting');
    jest.advanceTimersByTime(1000);
    expect(FakeSocket.instances).toHaveLength(2);
  });
});

describe('keep-alive (keepAliveMs)', () => {
  it('pings after a silent period and gives a connection that stays silent up as dead, then reconnects', () => {
    const ws = createChatWebSocket('c-1', 'tok', { ...BASE, keepAliveMs: 1000 });
    FakeSocket.last.accept();
    const first = FakeSocket.last;
    jest.advanceTimersByTime(1000);
    expect(first.sent).toEqual([{ type: 'ping' }]);
    jest.advanceTimersByTime(1000);
    expect(first.closedWith).toBeDefined();
    expect(ws.state).toBe('reconnecting');
    expect(ws.lastDisconnect).toMatchObject({ code: 1006, reason: 'keep-alive timeout', willReconnect: true });
    jest.advanceTimersByTime(1000);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('any frame heard keeps it open, and nothing is sent while frames keep coming', () => {
    const ws = createNotificationsWebSocket('tok', { ...BASE, keepAliveMs: 1000 });
    FakeSocket.last.accept();
    jest.advanceTimersByTime(1000);
    expect(FakeSocket.last.sent).toEqual([{ type: 'ping' }]);
    FakeSocket.last.serverSend({ type: 'pong' });
    for (let i = 0; i < 5; i++) {
      jest.advanceTimersByTime(1000);
      FakeSocket.last.serverSend({ type: 'unread_count', count: i });
    }
    expect(FakeSocket.last.sent).toEqual([{ type: 'ping' }]);
    expect(ws.state).toBe('open');
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('is off by default', () => {
    const ws = createPresenceWebSocket('tok', BASE);
    FakeSocket.last.accept();
    jest.advanceTimersByTime(120_000);
    expect(FakeSocket.last.sent).toEqual([]);
    expect(ws.state).toBe('open');
  });
});

describe('sending', () => {
  it('sends typed frames with their type, adding a client_id to chat messages', () => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    FakeSocket.last.accept();
    const result = ws.send('chat_message', { message: 'Hello!' });
    ws.send('chat_message', { message: 'mine', client_id: 'my-key' });
    ws.send('typing', { is_typing: true });
    ws.send('read_receipt', { message_id: 'm1' });
    expect(result.status).toBe('sent');
    expect(result.frame.client_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(FakeSocket.last.sent).toEqual([
      { type: 'chat_message', message: 'Hello!', client_id: result.frame.client_id },
      { type: 'chat_message', message: 'mine', client_id: 'my-key' },
      { type: 'typing', is_typing: true },
      { type: 'read_receipt', message_id: 'm1' },
    ]);
  });

  it('takes no payload for frames without fields', () => {
    const ws = createNotificationsWebSocket('tok', BASE);
    FakeSocket.last.accept();
    ws.send('mark_all_read');
    ws.send('mark_read', { notification_id: 'n1' });
    expect(FakeSocket.last.sent).toEqual([{ type: 'mark_all_read' }, { type: 'mark_read', notification_id: 'n1' }]);
  });

  it('rejects frames over the 64 KB protocol limit instead of getting the connection closed', () => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    FakeSocket.last.accept();
    expect(() => ws.send('chat_message', { message: 'x'.repeat(70 * 1024) })).toThrow(RangeError);
    expect(FakeSocket.last.sent).toHaveLength(0);
  });

  it('queues while disconnected and flushes in order once connected; transient frames are dropped', () => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    expect(ws.send('chat_message', { message: 'one' }).status).toBe('queued');
    expect(ws.send('typing', { is_typing: true }).status).toBe('dropped');
    ws.send('read_receipt', { message_id: 'm0' });
    ws.send('chat_message', { message: 'two' });
    expect(ws.queuedFrames).toHaveLength(3);
    FakeSocket.last.accept();
    expect(FakeSocket.last.sent.map((f) => f.message ?? f.type)).toEqual(['one', 'read_receipt', 'two']);
    expect(ws.queuedFrames.filter((f) => f.type !== 'chat_message')).toHaveLength(0);
  });

  it('bounds the queue: the oldest frame is dropped with an event', () => {
    const ws = createChatWebSocket('c-1', 'tok', { ...BASE, maxQueueSize: 2 });
    const dropped = jest.fn();
    ws.onQueueDrop(dropped);
    ws.send('chat_message', { message: 'a' });
    ws.send('chat_message', { message: 'b' });
    ws.send('chat_message', { message: 'c' });
    expect(dropped).toHaveBeenCalledTimes(1);
    expect(dropped).toHaveBeenCalledWith(expect.objectContaining({ message: 'a' }));
    FakeSocket.last.accept();
    expect(FakeSocket.last.sent.map((f) => f.message)).toEqual(['b', 'c']);
  });

  it('maxQueueSize 0 disables queueing', () => {
    const ws = createChatWebSocket('c-1', 'tok', { ...BASE, maxQueueSize: 0 });
    expect(ws.send('chat_message', { message: 'a' }).status).toBe('dropped');
  });

  it('updateToken sends an in-band auth frame and is used on the next connection', () => {
    const ws = createChatWebSocket('c-1', 'old', BASE);
    FakeSocket.last.accept();
    ws.updateToken('new');
    expect(FakeSocket.last.sent).toEqual([{ type: 'auth', token: 'new' }]);
    FakeSocket.last.serverClose(1001);
    jest.advanceTimersByTime(1000);
    expect(FakeSocket.last.query.get('token')).toBe('new');
  });
});

describe('reconnecting', () => {
  it('retries after 1, 2, 4, 8 and 16 s, then gives up after 5 attempts', () => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    FakeSocket.last.accept();
    const disconnects = jest.fn();
    ws.onDisconnect(disconnects);
    FakeSocket.last.serverClose(1006);
    expect(disconnects).toHaveBeenLastCalledWith(
      expect.objectContaining({ code: 1006, willReconnect: true, attempt: 1, delayMs: 1000 }),
    );
    const expected = [1000, 2000, 4000, 8000, 16000];
    for (const [index, delay] of expected.entries()) {
      const before = FakeSocket.instances.length;
      expect(ws.state).toBe('reconnecting');
      jest.advanceTimersByTime(delay - 1);
      expect(FakeSocket.instances).toHaveLength(before);
      jest.advanceTimersByTime(1);
      expect(FakeSocket.instances).toHaveLength(before + 1);
      expect(ws.state).toBe('connecting');
      FakeSocket.last.serverClose(1006); // attempt `index + 1` fails
      void index;
    }
    expect(ws.state).toBe('closed');
    expect(disconnects).toHaveBeenLastCalledWith(expect.objectContaining({ willReconnect: false }));
    jest.advanceTimersByTime(120_000);
    expect(FakeSocket.instances).toHaveLength(6); // the first connection + 5 retries
  });

  it('randomises each delay within ±50 %', () => {
    let r = 0;
    const ws = createChatWebSocket('c-1', 'tok', { ...BASE, random: () => r });
    FakeSocket.last.accept();
    const delays: number[] = [];
    ws.onDisconnect((info) => delays.push(info.delayMs ?? -1));
    FakeSocket.last.serverClose(1011);
    r = 0.999999;
    jest.advanceTimersByTime(500); // 1000 × 0.5
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.last.accept();
    FakeSocket.last.serverClose(1011);
    expect(delays).toEqual([500, 1500]);
    jest.advanceTimersByTime(1499);
    expect(FakeSocket.instances).toHaveLength(2);
    jest.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(3);
  });

  it('honours configured attempts and delays', () => {
    const ws = createChatWebSocket('c-1', 'tok', {
      ...BASE,
      maxReconnectAttempts: 2,
      initialDelayMs: 10,
      backoffFactor: 3,
    });
    FakeSocket.last.accept();
    FakeSocket.last.serverClose(1006);
    jest.advanceTimersByTime(10);
    FakeSocket.last.serverClose(1006);
    jest.advanceTimersByTime(29);
    expect(FakeSocket.instances).toHaveLength(2);
    jest.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(3);
    FakeSocket.last.serverClose(1006);
    expect(ws.state).toBe('closed');
  });

  it('starts counting again after a successful connection', () => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    FakeSocket.last.accept();
    for (let round = 0; round < 8; round++) {
      FakeSocket.last.serverClose(1001);
      jest.advanceTimersByTime(1000);
      FakeSocket.last.accept();
    }
    expect(ws.state).toBe('open');
    expect(FakeSocket.instances).toHaveLength(9);
  });

  it('reconnects (with backoff) on 1001, 1009, 1011, 4408 and 4429', () => {
    for (const code of [1001, 1009, 1011, 4408, 4429]) {
      FakeSocket.instances = [];
      const ws = createPresenceWebSocket('tok', BASE);
      FakeSocket.last.accept();
      FakeSocket.last.serverClose(code);
      expect(ws.state).toBe('reconnecting');
      jest.advanceTimersByTime(1000);
      expect(FakeSocket.instances).toHaveLength(2);
      ws.close();
    }
  });

  it.each([1000, 4400, 4403, 4404, 4402])('never retries after close %i', (code) => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    const disconnects = jest.fn();
    ws.onDisconnect(disconnects);
    const errors = jest.fn();
    ws.on('error', errors);
    FakeSocket.last.refuse(code);
    expect(ws.state).toBe('closed');
    expect(errors).toHaveBeenCalledTimes(1);
    expect(disconnects).toHaveBeenCalledWith(expect.objectContaining({ code, willReconnect: false }));
    jest.advanceTimersByTime(120_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('after 4401 asks getToken() for a fresh token before retrying', async () => {
    const getToken = jest.fn(async () => 'fresh');
    const ws = createChatWebSocket('c-1', 'expired', { ...BASE, getToken });
    FakeSocket.last.refuse(4401, 'unauthorized');
    expect(getToken).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(FakeSocket.last.query.get('token')).toBe('fresh');
    FakeSocket.last.accept();
    expect(ws.state).toBe('open');
  });

  it('stops after 4401 without getToken, or when getToken has none', async () => {
    const ws = createChatWebSocket('c-1', 'expired', BASE);
    FakeSocket.last.accept();
    const disconnects = jest.fn();
    ws.onDisconnect(disconnects);
    FakeSocket.last.serverClose(4401); // the token expired on an open connection
    expect(ws.state).toBe('closed');
    expect(disconnects.mock.calls).toEqual([[expect.objectContaining({ code: 4401, willReconnect: false })]]);

    const getToken = jest.fn(() => null);
    const ws2 = createChatWebSocket('c-1', 'expired', { ...BASE, getToken });
    FakeSocket.last.refuse(4401, 'unauthorized');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(ws2.state).toBe('closed');
    expect(FakeSocket.instances).toHaveLength(2);

    const failing = jest.fn(() => Promise.reject(new Error('refresh failed')));
    const onHandlerError = jest.fn();
    const ws3 = createChatWebSocket('c-1', 'expired', { ...BASE, getToken: failing, onHandlerError });
    FakeSocket.last.refuse(4401, 'unauthorized');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(ws3.state).toBe('closed');
    expect(onHandlerError).toHaveBeenCalled();
  });

  it('gets its first token from getToken when created without one', async () => {
    createNotificationsWebSocket(null, { ...BASE, getToken: () => Promise.resolve('from-provider') });
    expect(FakeSocket.instances).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(0);
    expect(FakeSocket.last.query.get('token')).toBe('from-provider');
  });

  it('close() closes with 1000 and never reconnects; connect() starts over', () => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    FakeSocket.last.accept();
    const disconnects = jest.fn();
    ws.onDisconnect(disconnects);
    ws.close();
    expect(FakeSocket.last.closedWith?.code).toBe(1000);
    expect(ws.state).toBe('closed');
    expect(disconnects).toHaveBeenCalledWith(expect.objectContaining({ byClient: true, willReconnect: false }));
    jest.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    ws.connect();
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('close() while waiting to retry cancels the retry', () => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    FakeSocket.last.accept();
    FakeSocket.last.serverClose(1006);
    ws.close();
    jest.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });
});

describe('chat catch-up and exactly-once sending', () => {
  it('reconnects with last_message_id of the newest message seen', () => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    FakeSocket.last.accept([message('m1'), message('m2')]);
    expect(ws.lastMessageId).toBe('m2');
    FakeSocket.last.serverClose(1001);
    jest.advanceTimersByTime(1000);
    expect(FakeSocket.last.query.get('last_message_id')).toBe('m2');
  });

  it('starts from options.lastMessageId (e.g. the newest message of the REST history)', () => {
    createChatWebSocket('c-1', 'tok', { ...BASE, lastMessageId: 'h9' });
    expect(FakeSocket.last.query.get('last_message_id')).toBe('h9');
  });

  it('delivers each message once even when a replay repeats it', () => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    const seen: string[] = [];
    ws.on('chat_message', (frame) => seen.push(frame.data.id));
    FakeSocket.last.accept([message('m1'), message('m2')]);
    FakeSocket.last.serverClose(1006);
    jest.advanceTimersByTime(1000);
    FakeSocket.last.accept([message('m2'), message('m3'), { type: 'replay_complete', count: 2 }]);
    expect(seen).toEqual(['m1', 'm2', 'm3']);
  });

  it('resends an unacknowledged message with the same client_id after the replay, unless the replay had it', () => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    FakeSocket.last.accept([message('m1')]);
    const stored = ws.send('chat_message', { message: 'stored before the drop' }).frame;
    const lost = ws.send('chat_message', { message: 'lost with the connection' }).frame;
    FakeSocket.last.serverClose(1006); // neither echo arrived
    ws.send('chat_message', { message: 'written while away' });
    expect(ws.queuedFrames.map((f) => f.type === 'chat_message' && f.message)).toEqual([
      'stored before the drop',
      'lost with the connection',
      'written while away',
    ]);
    jest.advanceTimersByTime(1000);
    const second = FakeSocket.last;
    expect(second.query.get('last_message_id')).toBe('m1');
    second.accept([message('m2', stored.client_id)]);
    expect(second.sent).toEqual([]); // held until the replay is complete
    second.serverSend({ type: 'replay_complete', count: 1 });
    expect(second.sent).toEqual([
      { type: 'chat_message', message: 'lost with the connection', client_id: lost.client_id },
      { type: 'chat_message', message: 'written while away', client_id: expect.any(String) },
    ]);
  });

  it('flushes anyway when the server does not know last_message_id (error not_found, no replay)', () => {
    const ws = createChatWebSocket('c-1', 'tok', { ...BASE, lastMessageId: 'gone' });
    ws.send('chat_message', { message: 'queued' });
    FakeSocket.last.accept([{ type: 'error', code: 'not_found', message: 'unknown message' }]);
    expect(FakeSocket.last.sent).toHaveLength(1);
    expect(ws.lastMessageId).toBeUndefined();
  });

  it('flushes after replayTimeoutMs when replay_complete never comes', () => {
    const ws = createChatWebSocket('c-1', 'tok', { ...BASE, lastMessageId: 'm1', replayTimeoutMs: 2000 });
    ws.send('chat_message', { message: 'queued' });
    FakeSocket.last.accept();
    expect(FakeSocket.last.sent).toHaveLength(0);
    jest.advanceTimersByTime(2000);
    expect(FakeSocket.last.sent).toHaveLength(1);
  });

  it('does not resend a message the server rejected (error with ref)', () => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    FakeSocket.last.accept();
    const { frame } = ws.send('chat_message', { message: 'closed consultation' });
    FakeSocket.last.serverSend({
      type: 'error',
      code: 'consultation_closed',
      message: 'read-only',
      ref: frame.client_id,
    });
    FakeSocket.last.serverClose(1006);
    expect(ws.queuedFrames).toHaveLength(0);
  });
});

function numbered(seq: number, client_id?: string): ServerFrame {
  const frame = message(`m${seq}`, client_id) as unknown as { type: 'chat_message'; data: Record<string, unknown> };
  return { ...frame, data: { ...frame.data, seq } } as ServerFrame;
}

function notification(seq: number | undefined, id = `n${seq}`): ServerFrame {
  return {
    type: 'notification',
    data: {
      id,
      title: 't',
      message: 'm',
      notification_type: 'system',
      is_read: false,
      created_at: '2024-01-15T10:00:00.000Z',
      ...(seq === undefined ? {} : { seq }),
    },
  };
}

/** A REST stand-in whose answers the test releases one at a time. */
function pagedRest() {
  const calls: Array<{ path: string; answer: (items: unknown[]) => Promise<void>; fail: () => Promise<void> }> = [];
  const httpGet = (path: string) =>
    new Promise<unknown>((resolve, reject) => {
      calls.push({
        path,
        answer: async (items) => {
          resolve({ items });
          await jest.advanceTimersByTimeAsync(0);
        },
        fail: async () => {
          reject(new Error('503'));
          await jest.advanceTimersByTimeAsync(0);
        },
      });
    });
  return { calls, httpGet };
}

const dataOf = (frame: ServerFrame) => (frame as unknown as { data: Record<string, unknown> }).data;

describe('resuming by position (seq)', () => {
  it('reconnects chat with last_seq of the highest seq held without a gap', () => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    FakeSocket.last.accept([numbered(1), numbered(2)]);
    expect(ws.resumePoint).toEqual({ seq: 2, id: 'm2' });
    FakeSocket.last.serverClose(1001);
    jest.advanceTimersByTime(1000);
    expect(FakeSocket.last.query.get('last_seq')).toBe('2');
    expect(FakeSocket.last.query.has('last_message_id')).toBe(false);
  });

  it('resumes notifications: last_seq, or last_notification_id from a server without seq', () => {
    const ws = createNotificationsWebSocket('tok', BASE);
    const seen: string[] = [];
    ws.on('notification', (frame) => seen.push(frame.data.id));
    FakeSocket.last.accept([notification(7), notification(8)]);
    FakeSocket.last.serverClose(1001);
    jest.advanceTimersByTime(1000);
    expect(FakeSocket.last.query.get('last_seq')).toBe('8');
    FakeSocket.last.accept([notification(8), notification(9), { type: 'replay_complete', count: 1, has_more: false }]);
    expect(seen).toEqual(['n7', 'n8', 'n9']);

    createNotificationsWebSocket('tok', BASE);
    FakeSocket.last.accept([notification(undefined, 'old-a'), notification(undefined, 'old-b')]);
    FakeSocket.last.serverClose(1001);
    jest.advanceTimersByTime(1000);
    expect(FakeSocket.last.query.get('last_notification_id')).toBe('old-b');
    expect(FakeSocket.last.query.has('last_seq')).toBe(false);
  });

  it('starts from options.lastSeq and holds queued frames until replay_complete', () => {
    const ws = createChatWebSocket('c-1', 'tok', { ...BASE, lastSeq: 41 });
    expect(FakeSocket.last.query.get('last_seq')).toBe('41');
    ws.send('chat_message', { message: 'queued' });
    FakeSocket.last.accept([numbered(42)]);
    expect(FakeSocket.last.sent).toEqual([]);
    FakeSocket.last.serverSend({ type: 'replay_complete', count: 1, has_more: false });
    expect(FakeSocket.last.sent).toHaveLength(1);
  });

  it('notifications resume too: from options.lastSeq, holding queued frames until replay_complete, paging a has_more', async () => {
    const rest = pagedRest();
    const ws = createNotificationsWebSocket('tok', { ...BASE, lastSeq: 5, httpGet: rest.httpGet });
    const seen: unknown[] = [];
    ws.on('notification', (frame) => seen.push(frame.data.seq));
    expect(FakeSocket.last.query.get('last_seq')).toBe('5');
    ws.send('mark_all_read');
    FakeSocket.last.accept([notification(6), { type: 'replay_complete', count: 1, has_more: true }]);
    expect(FakeSocket.last.sent).toEqual([]);
    expect(rest.calls.map((c) => c.path)).toEqual(['/api/notifications?after_seq=6&limit=100']);
    await rest.calls[0].answer([dataOf(notification(7))]);
    expect(seen).toEqual([6, 7]);
    expect(ws.resumePoint.seq).toBe(7);
    expect(FakeSocket.last.sent).toEqual([{ type: 'mark_all_read' }]);
  });

  it('presents out-of-order and repeated frames in seq order, each once', async () => {
    const rest = pagedRest();
    const ws = createChatWebSocket('c-1', 'tok', { ...BASE, lastSeq: 0, httpGet: rest.httpGet });
    const seen: unknown[] = [];
    ws.on('chat_message', (frame) => seen.push(frame.data.seq));
    FakeSocket.last.accept([numbered(1), numbered(3), numbered(1), numbered(2), numbered(3), numbered(2)]);
    expect(seen).toEqual([1, 2, 3]);
    await rest.calls[0]?.answer([dataOf(numbered(2)), dataOf(numbered(3))]); // the gap fill, answered late
    expect(seen).toEqual([1, 2, 3]);
    expect(ws.resumePoint?.seq).toBe(3);
  });

  it('fills a gap from REST (after_seq) before moving the resume point past it', async () => {
    const rest = pagedRest();
    const ws = createChatWebSocket('c-1', 'tok', { ...BASE, httpGet: rest.httpGet });
    const seen: unknown[] = [];
    ws.on('chat_message', (frame) => seen.push(frame.data.seq));
    FakeSocket.last.accept([numbered(1), numbered(4)]);
    expect(seen).toEqual([1]);
    expect(ws.resumePoint?.seq).toBe(1);
    expect(rest.calls.map((c) => c.path)).toEqual(['/api/consultations/c-1/messages?after_seq=1&limit=100']);
    await rest.calls[0].answer([dataOf(numbered(2)), dataOf(numbered(3)), dataOf(numbered(4))]);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(ws.resumePoint?.seq).toBe(4);
    expect(rest.calls).toHaveLength(1);
  });

  it('a gap REST cannot fill: held messages go out, the resume point stays below the gap for the next replay', async () => {
    const rest = pagedRest();
    const onHandlerError = jest.fn();
    const ws = createChatWebSocket('c-1', 'tok', { ...BASE, httpGet: rest.httpGet, onHandlerError });
    const seen: unknown[] = [];
    ws.on('chat_message', (frame) => seen.push(frame.data.seq));
    FakeSocket.last.accept([numbered(1), numbered(3)]);
    await rest.calls[0].fail();
    expect(seen).toEqual([1, 3]);
    expect(onHandlerError).toHaveBeenCalled();
    FakeSocket.last.serverClose(1001);
    jest.advanceTimersByTime(1000);
    expect(FakeSocket.last.query.get('last_seq')).toBe('1');
    FakeSocket.last.accept([numbered(2), numbered(3), numbered(4)]);
    expect(seen).toEqual([1, 3, 2, 4]);
    expect(ws.resumePoint?.seq).toBe(4);
  });

  it('after replay_complete with has_more pages the rest through REST, then sends queued frames', async () => {
    const rest = pagedRest();
    const ws = createChatWebSocket('c-1', 'tok', { ...BASE, lastSeq: 0, httpGet: rest.httpGet });
    const seen: unknown[] = [];
    ws.on('chat_message', (frame) => seen.push(frame.data.seq));
    ws.send('chat_message', { message: 'queued' });
    FakeSocket.last.accept([numbered(1), numbered(2), { type: 'replay_complete', count: 2, has_more: true }]);
    const page = (from: number, count: number) => Array.from({ length: count }, (_, i) => dataOf(numbered(from + i)));
    await rest.calls[0].answer(page(3, 100));
    FakeSocket.last.serverSend(numbered(150)); // live, while paging: held in order
    await rest.calls[1].answer(page(103, 30));
    await rest.calls[2].answer(page(133, 18));
    expect(rest.calls.map((c) => new URL(c.path, 'http://x').searchParams.get('after_seq'))).toEqual([
      '2',
      '102',
      '132',
    ]);
    expect(seen).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(FakeSocket.last.sent).toEqual([{ type: 'chat_message', message: 'queued', client_id: expect.any(String) }]);
    expect(ws.resumePoint?.seq).toBe(150);
  });

  it('reads at most maxCatchUpPages pages however much a server claims to have', async () => {
    let next = 1;
    const httpGet = jest.fn(async () => ({
      items: Array.from({ length: 100 }, () => dataOf(numbered(next++))),
    }));
    const ws = createNotificationsWebSocket('tok', { ...BASE, lastSeq: 0, httpGet, maxCatchUpPages: 3 });
    FakeSocket.last.accept([{ type: 'replay_complete', count: 0, has_more: true }]);
    await jest.advanceTimersByTimeAsync(0);
    expect(httpGet).toHaveBeenCalledTimes(3);
    expect(httpGet).toHaveBeenCalledWith('/api/notifications?after_seq=0&limit=100');
    expect(ws.resumePoint?.seq).toBe(300);
  });

  it('stops paging when the server says nothing follows (next_after_seq: null), even after a full page', async () => {
    const httpGet = jest.fn(async () => ({
      items: Array.from({ length: 100 }, (_, i) => dataOf(numbered(i + 1))),
      next_before: null,
      next_after_seq: null,
    }));
    const ws = createChatWebSocket('c-1', 'tok', { ...BASE, lastSeq: 0, httpGet });
    FakeSocket.last.accept([{ type: 'replay_complete', count: 0, has_more: true }]);
    await jest.advanceTimersByTimeAsync(0);
    expect(httpGet).toHaveBeenCalledTimes(1);
    expect(ws.resumePoint?.seq).toBe(100);
  });

  it('advanceResumePoint: what the caller holds already (REST history) is not asked for again', () => {
    const ws = createChatWebSocket('c-1', 'tok', BASE);
    FakeSocket.last.accept();
    ws.advanceResumePoint(17);
    ws.advanceResumePoint(3);
    FakeSocket.last.serverClose(1001);
    jest.advanceTimersByTime(1000);
    expect(FakeSocket.last.query.get('last_seq')).toBe('17');
  });
});

describe('renewing the token before it expires', () => {
  const NOW = 1_700_000_000_000;
  const token = (iat: number, lifetime = 300) => jwtWith({ sub: 'u1', iat, exp: iat + lifetime });

  it('asks getToken() at 80 % of the lifetime or 60 s before exp and sends the new token in-band', async () => {
    jest.setSystemTime(NOW);
    const first = token(NOW / 1000);
    const second = token(NOW / 1000 + 240);
    const getToken = jest.fn(async () => second);
    createChatWebSocket('c-1', first, { ...BASE, getToken, random: () => 0 });
    FakeSocket.last.accept();
    await jest.advanceTimersByTimeAsync(239_000);
    expect(getToken).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(FakeSocket.last.sent).toEqual([{ type: 'auth', token: second }]);
    FakeSocket.last.serverSend({ type: 'auth_ok', expires_at: new Date(NOW + 540_000).toISOString() });
    await jest.advanceTimersByTimeAsync(240_000); // and again for the new token
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(FakeSocket.instances).toHaveLength(1); // never reconnected
  });

  it('does nothing without getToken, with refreshBeforeExpiry false, or after close()', async () => {
    jest.setSystemTime(NOW);
    createChatWebSocket('c-1', token(NOW / 1000), BASE);
    FakeSocket.last.accept();
    const getToken = jest.fn(async () => token(NOW / 1000));
    createChatWebSocket('c-1', token(NOW / 1000), { ...BASE, getToken, refreshBeforeExpiry: false });
    FakeSocket.last.accept();
    const closed = createChatWebSocket('c-1', token(NOW / 1000), { ...BASE, getToken });
    FakeSocket.last.accept();
    closed.close();
    await jest.advanceTimersByTimeAsync(600_000);
    expect(getToken).not.toHaveBeenCalled();
    for (const socket of FakeSocket.instances) expect(socket.sent).toEqual([]);
  });

  it('when renewal fails, the 4401 at expiry reconnects with a fresh token', async () => {
    jest.setSystemTime(NOW);
    const fresh = token(NOW / 1000 + 300);
    const getToken = jest.fn().mockRejectedValueOnce(new Error('offline')).mockResolvedValue(fresh);
    const onHandlerError = jest.fn();
    createChatWebSocket('c-1', token(NOW / 1000), { ...BASE, getToken, onHandlerError, random: () => 0 });
    FakeSocket.last.accept();
    await jest.advanceTimersByTimeAsync(240_000);
    expect(onHandlerError).toHaveBeenCalled();
    expect(FakeSocket.last.sent).toEqual([]);
    await jest.advanceTimersByTimeAsync(60_000);
    FakeSocket.last.serverClose(4401);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(FakeSocket.last.query.get('token')).toBe(fresh);
  });
});

describe('the availability listing', () => {
  const numerologist = (id: string, rate = 100) => ({
    user_id: id,
    full_name: `N ${id}`,
    rate_minor: rate,
    currency: 'USD',
  });

  it('reads every page itself (up to maxPages), applies changes, and starts over on each connection', async () => {
    const session = createAvailabilityWebSocket('t', { ...BASE, maxPages: 2 });
    const lists: string[][] = [];
    session.onListChange((list) => lists.push(list.map((item) => item.user_id)));
    expect(FakeSocket.last.url).toBe('ws://api.test/ws/availability/?token=t');
    FakeSocket.last.accept([
      { type: 'available_page', items: [numerologist('a'), numerologist('b')], next_cursor: 'b' },
    ]);
    expect(FakeSocket.last.sent).toEqual([{ type: 'list_available', cursor: 'b' }]);
    FakeSocket.last.serverSend({ type: 'available_page', items: [numerologist('c')], next_cursor: 'c' });
    // maxPages reached: no third request.
    expect(FakeSocket.last.sent).toHaveLength(1);
    FakeSocket.last.serverSend({ type: 'availability_changed', ...numerologist('d', 300), status: 'available' });
    FakeSocket.last.serverSend({ type: 'availability_changed', ...numerologist('a'), status: 'busy' });
    FakeSocket.last.serverSend({ type: 'availability_changed', ...numerologist('b', 150), status: 'available' });
    expect(session.numerologists).toEqual([numerologist('b', 150), numerologist('c'), numerologist('d', 300)]);

    // A page request is not queued across a drop: the new connection starts with its own first page.
    FakeSocket.last.serverClose(1006);
    session.send('list_available', { cursor: 'x' });
    await jest.advanceTimersByTimeAsync(1_000);
    FakeSocket.last.accept([{ type: 'available_page', items: [numerologist('e')] }]);
    expect(FakeSocket.last.sent).toEqual([]);
    expect(session.numerologists).toEqual([numerologist('e')]);
    expect(lists.at(-1)).toEqual(['e']);

    session.setStatus('available');
    expect(FakeSocket.last.sent).toEqual([{ type: 'set_availability', status: 'available' }]);
    session.close();
  });
});

describe('types', () => {
  it('accepts only the frames of its endpoint (checked by tsc)', () => {
    const chat = createChatWebSocket('c-1', 'tok', { ...BASE, autoConnect: false });
    const notifications = createNotificationsWebSocket('tok', { ...BASE, autoConnect: false });
    // The published usage:
    chat.send('chat_message', { message: 'Hello!' });
    chat.on('chat_message', (data) => data.data.content.toUpperCase());
    // @ts-expect-error mark_read belongs to the notifications endpoint
    chat.send('mark_read', { notification_id: 'x' });
    // @ts-expect-error chat messages need a message
    chat.send('chat_message', {});
    // @ts-expect-error is_typing must be a boolean
    chat.send('typing', { is_typing: 'yes' });
    // @ts-expect-error notifications never arrive on the chat endpoint
    chat.on('notification', () => undefined);
    // @ts-expect-error a misspelt type does not compile
    notifications.on('unread_cont', () => undefined);
    notifications.on('unread_count', (frame) => frame.count.toFixed());
    expect(chat.queuedFrames.length).toBeGreaterThan(0);
  });
});
