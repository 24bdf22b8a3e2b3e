/**
 * The client SDK over real sockets against the PROTOCOL STUB (test/client/support/protocol-stub.ts),
 * not the NumerAI server: stages what the real server does not do on demand — lost
 * acknowledgements, a restart on the same port, forced refusals. The same behaviours against
 * the real server: sdk.e2e-spec.ts.
 */
import WebSocket from 'ws';
import {
  createChatWebSocket,
  createNotificationsWebSocket,
  createPresenceWebSocket,
  type ChatWebSocketOptions,
  type NumerAIWebSocket,
} from '../../libs/client/src';
import { connected, next, stateTrail } from './support/sdk-frames';
import { waitFor } from '../support/wait-for';
import type { Endpoint } from '@numerai/protocol';
import { ProtocolStub, StubUser } from './support/protocol-stub';

let stub: ProtocolStub;
let ann: StubUser;
let bob: StubUser;
let consultationId: string;
const clients: Array<NumerAIWebSocket<Endpoint>> = [];

function options(extra: ChatWebSocketOptions = {}): ChatWebSocketOptions {
  return { baseUrl: stub.wsUrl, WebSocket, initialDelayMs: 50, ...extra };
}

function track<T extends NumerAIWebSocket<Endpoint>>(client: T): T {
  clients.push(client);
  return client;
}

/** Resolves with the next frame of `type` the client delivers. */

function disconnected(client: NumerAIWebSocket<Endpoint>) {
  return new Promise<{ code: number; willReconnect: boolean }>((resolve) => {
    const off = client.onDisconnect((info) => {
      off();
      resolve(info);
    });
  });
}

beforeEach(async () => {
  stub = await ProtocolStub.start();
  ann = stub.addUser('Ann Client');
  bob = stub.addUser('Bob Numerologist');
  consultationId = stub.addConsultation(ann, bob);
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await stub.close();
});

describe('SDK ↔ protocol stub: chat', () => {
  it('connects, sends and receives between two participants, with typing and read receipts', async () => {
    const a = track(createChatWebSocket(consultationId, ann.token, options()));
    const b = track(createChatWebSocket(consultationId, bob.token, options()));
    await Promise.all([connected(a), connected(b)]);

    const typing = next(b, 'typing_indicator');
    a.send('typing', { is_typing: true });
    expect(await typing).toMatchObject({ user_id: ann.id, user_name: 'Ann Client', is_typing: true });

    const atB = next(b, 'chat_message');
    const echo = next(a, 'chat_message');
    const { frame } = a.send('chat_message', { message: 'Hello!' });
    const [received, echoed] = await Promise.all([atB, echo]);
    expect(received.data).toMatchObject({ content: 'Hello!', sender_id: ann.id, client_id: frame.client_id });
    expect(echoed.data.id).toBe(received.data.id);

    const receipt = next(a, 'read_receipt');
    b.send('read_receipt', { message_id: received.data.id });
    expect(await receipt).toMatchObject({ message_id: received.data.id, user_id: bob.id });
  });

  it('does not retry after 4403 (not a participant) nor 4404 (no such consultation)', async () => {
    const eve = stub.addUser('Eve');
    const refused = track(createChatWebSocket(consultationId, eve.token, options()));
    const refusedTrail = stateTrail(refused);
    const errors: string[] = [];
    refused.on('error', (frame) => errors.push(frame.code));
    expect(await disconnected(refused)).toMatchObject({ code: 4403, willReconnect: false });
    const missing = track(createChatWebSocket('0b9a3a4e-8d7c-4d2b-9a0e-2f5d1c7e6b11', ann.token, options()));
    const missingTrail = stateTrail(missing);
    expect(await disconnected(missing)).toMatchObject({ code: 4404, willReconnect: false });
    // Each from its one attempt straight to closed: no retry was ever scheduled.
    expect([refusedTrail, missingTrail]).toEqual([['closed'], ['closed']]);
    expect(stub.upgrades).toHaveLength(2);
    expect(errors).toEqual(['forbidden']);
    expect(refused.state).toBe('closed');
  });

  it('after 4401 gets a fresh token from getToken() and connects with it', async () => {
    const getToken = jest.fn(() => Promise.resolve(ann.token));
    const client = track(createChatWebSocket(consultationId, 'expired-token', options({ getToken })));
    await connected(client);
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(stub.upgrades.map((url) => url.searchParams.get('token'))).toEqual(['expired-token', ann.token]);
  });

  it('delivers messages queued while the server was down exactly once, in order, after it comes back', async () => {
    const a = track(createChatWebSocket(consultationId, ann.token, options({ maxReconnectAttempts: 50 })));
    await connected(a);
    const down = disconnected(a);
    await stub.stop();
    await down;
    for (const text of ['one', 'two', 'three']) expect(a.send('chat_message', { message: text }).status).toBe('queued');
    await stub.restart();
    await waitFor('3 stored messages', () => stub.messages.get(consultationId)!.length === 3);
    // A marker sent after them: once it is stored, a resent copy would be stored too.
    a.send('chat_message', { message: 'marker' });
    await waitFor('the marker stored', () => stub.messages.get(consultationId)!.length === 4);
    expect(stub.messages.get(consultationId)!.map((m) => m.content)).toEqual(['one', 'two', 'three', 'marker']);
    expect(a.queuedFrames).toHaveLength(0);
  });

  it('a message whose acknowledgement was lost is stored once: the replay confirms it, no resend', async () => {
    const a = track(createChatWebSocket(consultationId, ann.token, options()));
    await connected(a);
    const first = next(a, 'chat_message');
    a.send('chat_message', { message: 'before' });
    await first;
    stub.dropEchoToSender = true;
    a.send('chat_message', { message: 'ack lost' });
    await waitFor('2 stored messages', () => stub.messages.get(consultationId)!.length === 2);
    stub.dropEchoToSender = false;
    const seen: string[] = [];
    a.on('chat_message', (frame) => seen.push(frame.data.content));
    const replayed = next(a, 'replay_complete');
    stub.closeAll(1001);
    expect(await replayed).toMatchObject({ type: 'replay_complete', count: 1 });
    // A marker sent after the replay: a resend of 'ack lost' would go out (and be stored) before it.
    const marker = next(a, 'chat_message', (frame) => frame.data.content === 'marker');
    a.send('chat_message', { message: 'marker' });
    await marker;
    expect(stub.messages.get(consultationId)!.map((m) => m.content)).toEqual(['before', 'ack lost', 'marker']);
    expect(seen).toEqual(['ack lost', 'marker']);
    expect(stub.upgrades[1].searchParams.get('last_seq')).toBe('1');
  });

  it('a message lost before it reached the server is resent with the same client_id after reconnecting', async () => {
    const a = track(createChatWebSocket(consultationId, ann.token, options()));
    await connected(a);
    const down = disconnected(a);
    await stub.stop(); // the socket dies with the frame unsent or unprocessed
    const { frame } = a.send('chat_message', { message: 'in flight' });
    await down;
    await stub.restart();
    await waitFor('1 stored message', () => stub.messages.get(consultationId)!.length === 1);
    expect(stub.messages.get(consultationId)![0]).toMatchObject({ content: 'in flight', client_id: frame.client_id });
  });

  for (const numbered of [true, false]) {
    const how = numbered ? 'last_seq' : 'last_message_id (a server without seq)';
    it(`catches up with ${how} on reconnect: everything sent meanwhile, nothing twice`, async () => {
      stub.numbered = numbered;
      const a = track(createChatWebSocket(consultationId, ann.token, options({ initialDelayMs: 300, jitter: 0 })));
      const b = track(createChatWebSocket(consultationId, bob.token, options()));
      await Promise.all([connected(a), connected(b)]);
      const seen: string[] = [];
      a.on('chat_message', (frame) => seen.push(frame.data.content));
      const hello = next(a, 'chat_message');
      b.send('chat_message', { message: 'seen live' });
      await hello;
      // Drop only Ann's connection; Bob writes while she is away.
      const annDown = disconnected(a);
      stub.dropUser(ann.id);
      await annDown;
      b.send('chat_message', { message: 'missed 1' });
      b.send('chat_message', { message: 'missed 2' });
      const done = next(a, 'replay_complete');
      expect(await done).toMatchObject({ type: 'replay_complete', count: 2 });
      expect(seen).toEqual(['seen live', 'missed 1', 'missed 2']);
      const resumedWith = stub.upgrades[2].searchParams;
      if (numbered) expect(resumedWith.get('last_seq')).toBe('1');
      else expect(resumedWith.get('last_message_id')).toBe(stub.messages.get(consultationId)![0].id);
    });
  }
});

describe('SDK ↔ protocol stub: positions (seq), bounded replay, REST paging', () => {
  it('a replay with has_more is completed through REST after_seq pages, in order, once; queued frames go after', async () => {
    stub.replayMax = 20;
    const a = track(createChatWebSocket(consultationId, ann.token, options({ initialDelayMs: 200, jitter: 0 })));
    await connected(a);
    stub.storeMessage(consultationId, bob, 'm1');
    await next(a, 'chat_message');
    const seen: number[] = [];
    a.on('chat_message', (frame) => seen.push(frame.data.seq!));
    const down = disconnected(a);
    stub.dropUser(ann.id);
    await down;
    for (let i = 2; i <= 250; i++) stub.storeMessage(consultationId, bob, `m${i}`);
    a.send('chat_message', { message: 'written while away' });
    const replayed = next(a, 'replay_complete');
    expect(await replayed).toEqual({ type: 'replay_complete', count: 20, has_more: true });
    // The message written while away goes out after the catch-up, and comes back as seq 251.
    await waitFor('message 251', () => seen.includes(251), 5000);
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i + 2));
    expect(stub.messages.get(consultationId)![250]).toMatchObject({ content: 'written while away', seq: 251 });
    expect(stub.upgrades[1].searchParams.get('last_seq')).toBe('1');
    expect(stub.restRequests.map((url) => url.searchParams.get('after_seq'))).toEqual(['21', '121', '221']);
    expect(a.resumePoint?.seq).toBe(251);
  });

  it('fills a gap it sees (a frame lost on the way) from REST before moving on', async () => {
    const a = track(createChatWebSocket(consultationId, ann.token, options()));
    await connected(a);
    const seen: string[] = [];
    a.on('chat_message', (frame) => seen.push(frame.data.content));
    stub.storeMessage(consultationId, bob, 'one');
    stub.withholdLive = (data) => data.content === 'two' || data.content === 'three';
    stub.storeMessage(consultationId, bob, 'two');
    stub.storeMessage(consultationId, bob, 'three');
    stub.withholdLive = () => false;
    stub.storeMessage(consultationId, bob, 'four');
    await waitFor('4 messages', () => seen.length === 4);
    expect(seen).toEqual(['one', 'two', 'three', 'four']);
    expect(stub.restRequests.map((url) => `${url.pathname}?${url.searchParams}`)).toEqual([
      `/api/consultations/${consultationId}/messages?after_seq=1&limit=100`,
    ]);
    expect(a.resumePoint?.seq).toBe(4);
  });

  it('presents duplicated and out-of-order frames in seq order, each once', async () => {
    const a = track(createChatWebSocket(consultationId, ann.token, options()));
    await connected(a);
    const seen: number[] = [];
    a.on('chat_message', (frame) => seen.push(frame.data.seq!));
    stub.storeMessage(consultationId, bob, 'first');
    stub.withholdLive = () => true;
    const [m2, m3, m4] = ['second', 'third', 'fourth'].map((text) => stub.storeMessage(consultationId, bob, text));
    stub.withholdLive = () => false;
    for (const data of [m3, m2, m3, m4, m2, m4]) stub.sendRaw(ann.id, 'chat', { type: 'chat_message', data });
    const marker = next(a, 'pong');
    a.send('ping');
    await marker;
    await waitFor('4 messages', () => seen.length >= 4);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('notifications resume with last_seq after a drop: the missed ones once, in order', async () => {
    const n = track(createNotificationsWebSocket(ann.token, options({ initialDelayMs: 200, jitter: 0 })));
    await connected(n);
    const seen: string[] = [];
    n.on('notification', (frame) => seen.push(frame.data.title));
    const first = next(n, 'notification');
    stub.notify(ann, 'live');
    await first;
    const down = disconnected(n);
    stub.dropUser(ann.id);
    await down;
    stub.notify(ann, 'missed 1');
    stub.notify(ann, 'missed 2');
    expect(await next(n, 'replay_complete')).toEqual({ type: 'replay_complete', count: 2, has_more: false });
    expect(seen).toEqual(['live', 'missed 1', 'missed 2']);
    expect(stub.upgrades[1].searchParams.get('last_seq')).toBe('1');
  });

  it('notifications page the rest of a bounded replay through GET /api/notifications?after_seq=', async () => {
    stub.replayMax = 3;
    for (let i = 1; i <= 130; i++) stub.notify(ann, `n${i}`);
    const n = track(createNotificationsWebSocket(ann.token, options({ lastSeq: 0 })));
    const seen: number[] = [];
    n.on('notification', (frame) => seen.push(frame.data.seq!));
    expect(await next(n, 'replay_complete')).toEqual({ type: 'replay_complete', count: 3, has_more: true });
    await waitFor('130 messages', () => seen.length === 130);
    expect(seen).toEqual(Array.from({ length: 130 }, (_, i) => i + 1));
    expect(stub.restRequests.map((url) => url.searchParams.get('after_seq'))).toEqual(['3', '103']);
  });

  it('notifications resume with last_notification_id from a server without seq', async () => {
    stub.numbered = false;
    const n = track(createNotificationsWebSocket(ann.token, options({ initialDelayMs: 200, jitter: 0 })));
    await connected(n);
    const live = next(n, 'notification');
    const created = stub.notify(ann, 'live');
    await live;
    const down = disconnected(n);
    stub.dropUser(ann.id);
    await down;
    stub.notify(ann, 'missed');
    const missed = next(n, 'notification');
    expect((await missed).data.title).toBe('missed');
    expect(stub.upgrades[1].searchParams.get('last_notification_id')).toBe(created.id);
  });
});

describe('SDK ↔ protocol stub: notifications and presence', () => {
  it('receives notifications and unread counts, and marks them read', async () => {
    const n = track(createNotificationsWebSocket(ann.token, options()));
    const first = next(n, 'unread_count');
    await connected(n);
    expect((await first).count).toBe(0);
    const pushed = next(n, 'notification');
    const counted = next(n, 'unread_count', (f) => f.count === 1);
    const created = stub.notify(ann, 'Daily Reading Ready', 'daily_reading');
    expect((await pushed).data).toEqual(created);
    await counted;
    const zero = next(n, 'unread_count', (f) => f.count === 0);
    n.send('mark_read', { notification_id: created.id });
    await zero;
  });

  it('sees contacts come online and go offline', async () => {
    const p = track(createPresenceWebSocket(ann.token, options()));
    const state = next(p, 'presence_state');
    await connected(p);
    expect((await state).users).toEqual([]);
    const online = next(p, 'user_online');
    const bobs = track(createPresenceWebSocket(bob.token, options()));
    expect(await online).toMatchObject({ user_id: bob.id, user_name: 'Bob Numerologist' });
    const offline = next(p, 'user_offline');
    bobs.close();
    expect((await offline).user_id).toBe(bob.id);
  });
});
