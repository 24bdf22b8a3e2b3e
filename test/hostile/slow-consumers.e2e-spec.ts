import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { ClientConnection, ConnectionRegistry } from '@numerai/realtime';
import { createConsultation } from '../support/factories';
import { startTestServer, TestServer } from '../support/server';
import { chatUrl, sleep, withTimeout } from '../ws/helpers';
import { dbCounts, fmtMb, MB, memoryAfterGc, settles } from './support/harness';
import { FULL_TIER, ReliabilityRecorder } from './support/recorder';

/**
 * Issue 8, "Slow consumers": a client that stops reading while its room is busy is dropped
 * once the server's send buffer for it passes WS_MAX_BUFFERED_BYTES, instead of growing
 * server memory; the rest of the room gets every message; server memory stays bounded.
 */
const recorder = new ReliabilityRecorder('slow-consumers');
const LIMIT = 256 * 1024;
/** Enough traffic that the paused socket's kernel buffers (several MB on loopback) fill and the server's queue grows. */
const MESSAGES = FULL_TIER ? 12_000 : 5_000;
const CONTENT = 'x'.repeat(3_900);

/** A counting client: no frame is kept, so this process's memory is the server's. */
function counter(url: string) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const state = { ws, messages: 0, errors: 0, closedWith: undefined as number | undefined };
  ws.on('message', (data: Buffer) => {
    if (data.includes('"type":"chat_message"')) state.messages++;
    else if (data.includes('"type":"error"')) state.errors++;
  });
  ws.on('close', (code) => (state.closedWith = code));
  ws.on('error', () => undefined);
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('error', reject);
  });
  return { state, opened };
}

describe('hostile: slow consumers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      WS_MAX_BUFFERED_BYTES: String(LIMIT),
      RATE_LIMIT_PER_MINUTE: '1000000000',
    });
  });
  afterAll(async () => {
    recorder.write();
    await server?.close();
  });

  it(`a reader that stops reading is dropped past ${LIMIT / 1024} KB queued; the room gets all ${MESSAGES} messages; memory bounded`, async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    const url = (token: string) => `${chatUrl(server, consultation.id)}?token=${token}`;
    const registry = server.app.get(ConnectionRegistry);
    const slow = counter(url(client.token));
    const fast = counter(url(client.token));
    const sender = counter(url(numerologist.token));
    await Promise.all([slow.opened, fast.opened, sender.opened]);
    const slowSocket = (slow.state.ws as unknown as { _socket: Socket })._socket;
    slowSocket.pause();

    const before = memoryAfterGc();
    const rowsBefore = (await dbCounts(server)).chat_messages;
    let maxQueued = 0;
    let peakHeap = 0;
    let droppedAt: number | undefined;
    const started = Date.now();
    // Every send the server makes, measured right after it queued the frame: the exact high-water mark.
    const sendRaw = ClientConnection.prototype.sendRaw;
    const spy = jest.spyOn(ClientConnection.prototype, 'sendRaw').mockImplementation(function (
      this: ClientConnection,
      payload,
    ) {
      sendRaw.call(this, payload);
      maxQueued = Math.max(maxQueued, this.socket.bufferedAmount);
    });
    const sampler = setInterval(() => {
      const { heapUsed, arrayBuffers } = process.memoryUsage();
      peakHeap = Math.max(peakHeap, heapUsed + arrayBuffers);
      if (droppedAt === undefined && registry.countForUser(client.id) === 1) droppedAt = Date.now() - started;
    }, 5);

    // The sender floods the room in bursts, keeping its own outgoing buffer small. These sleeps pace
    // the sender (they let its socket drain and the event loop breathe); they wait for no condition.
    for (let i = 0; i < MESSAGES; i++) {
      sender.state.ws.send(`{"type":"chat_message","message":"${i} ${CONTENT}"}`);
      if (sender.state.ws.bufferedAmount > 512 * 1024) {
        while (sender.state.ws.bufferedAmount > 64 * 1024) await sleep(1);
      }
      if (i % 200 === 0) await sleep(0);
    }
    // Short of them after a minute: the row below says how many came.
    await settles(
      'every message at the fast client and back at the sender',
      () => fast.state.messages >= MESSAGES && sender.state.messages >= MESSAGES,
      60_000,
      20,
    );
    clearInterval(sampler);
    spy.mockRestore();
    const rowsAfter = (await dbCounts(server)).chat_messages;
    const after = memoryAfterGc();

    // The paused client, once it reads again, finds its connection cut (terminated: no close frame, 1006).
    slowSocket.resume();
    const sawClose = await withTimeout(
      new Promise<void>((resolve) => {
        if (slow.state.closedWith !== undefined) resolve();
        else slow.state.ws.once('close', () => resolve());
      }),
      10_000,
      'the slow client to see its connection closed',
    ).then(
      () => slow.state.closedWith,
      () => undefined,
    );
    if (sawClose === undefined) slow.state.ws.terminate();
    const frameBytes = CONTENT.length + 300;
    const growth = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    const ok =
      droppedAt !== undefined &&
      sawClose === 1006 &&
      maxQueued <= LIMIT + frameBytes &&
      fast.state.messages === MESSAGES &&
      sender.state.messages === MESSAGES &&
      rowsAfter - rowsBefore === MESSAGES &&
      fast.state.closedWith === undefined &&
      growth < 32 * MB;
    recorder.note('slow_consumer', {
      messages: MESSAGES,
      bytes_per_recipient: MESSAGES * frameBytes,
      limit: LIMIT,
      max_queued: maxQueued,
      dropped_after_ms: droppedAt,
      slow_received_before_drop: slow.state.messages,
      heap_before: before,
      heap_after: after,
      peak_heap_plus_buffers: peakHeap,
    });
    recorder.record({
      area: 'Slow consumers',
      attack: `one chat connection stops reading (socket paused) while the other participant sends ${MESSAGES} × 4 KB messages (${fmtMb(MESSAGES * frameBytes)} per recipient); WS_MAX_BUFFERED_BYTES=${LIMIT / 1024} KB`,
      tried: MESSAGES,
      expected: `paused reader dropped once its queue passes ${LIMIT / 1024} KB (never more than one frame over); the other 2 connections get every message; all stored; heap+buffers after GC within 32 MB of the start`,
      seen:
        `dropped after ${droppedAt ?? 'NEVER'} ms; largest server-side queue ${fmtMb(maxQueued)}; other connections got ${fast.state.messages} and ${sender.state.messages}/${MESSAGES}; ` +
        `${rowsAfter - rowsBefore} stored; paused client then saw close ${sawClose ?? 'NOTHING'}; heap+buffers ${fmtMb(before.heapUsed + before.arrayBuffers)} → ${fmtMb(after.heapUsed + after.arrayBuffers)} after GC (peak ${fmtMb(peakHeap)})`,
      ok,
    });
    expect(droppedAt).toBeDefined();
    expect(maxQueued).toBeLessThanOrEqual(LIMIT + frameBytes);
    expect(fast.state.messages).toBe(MESSAGES);
    expect(sender.state.messages).toBe(MESSAGES);
    expect(rowsAfter - rowsBefore).toBe(MESSAGES);
    expect(fast.state.closedWith).toBeUndefined();
    expect(sawClose).toBe(1006);
    expect(growth).toBeLessThan(32 * MB);
    fast.state.ws.close();
    sender.state.ws.close();
  }, 120_000);
});
