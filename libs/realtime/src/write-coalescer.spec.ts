import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { WriteCoalescer } from './write-coalescer';

/** A real server and client on loopback; `chunks` are the TCP reads the client saw. */
async function pair() {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[WebSocket]>;
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  await once(client, 'open');
  const [serverSide] = await accepted;
  const chunks: Buffer[] = [];
  (client as unknown as { _socket: NodeJS.ReadableStream })._socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const received: string[] = [];
  client.on('message', (data) => received.push(String(data)));
  const close = async () => {
    client.terminate();
    await new Promise((resolve) => server.close(resolve));
  };
  return { serverSide, received, chunks, close };
}

async function until(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('WriteCoalescer', () => {
  it('sends the frames of one event-loop turn to a socket in a single write, in order', async () => {
    const { serverSide, received, chunks, close } = await pair();
    try {
      const writes = new WriteCoalescer();
      for (const text of ['a', 'b', 'c']) {
        writes.hold(serverSide, 16 * 1024);
        serverSide.send(text);
      }
      await until(() => received.length === 3);
      expect(received).toEqual(['a', 'b', 'c']);
      expect(chunks).toHaveLength(1);
    } finally {
      await close();
    }
  });

  it('flushes a burst past the cap, so corked bytes never pass for a slow reader', async () => {
    const { serverSide, received, close } = await pair();
    try {
      const writes = new WriteCoalescer();
      const frame = 'x'.repeat(4000);
      let maxQueued = 0;
      for (let i = 0; i < 100; i++) {
        writes.hold(serverSide, 16 * 1024);
        serverSide.send(frame);
        maxQueued = Math.max(maxQueued, serverSide.bufferedAmount);
      }
      // 400 KB sent in one turn to a client that reads: never more than the cap plus a frame queued.
      expect(maxQueued).toBeLessThan(16 * 1024 + 4100);
      await until(() => received.length === 100);
    } finally {
      await close();
    }
  });

  it('uncorks at the end of the turn, so later frames are not held back', async () => {
    const { serverSide, received, close } = await pair();
    try {
      const writes = new WriteCoalescer();
      writes.hold(serverSide, 16 * 1024);
      serverSide.send('first');
      const transport = (serverSide as unknown as { _socket: { writableCorked: number } })._socket;
      expect(transport.writableCorked).toBe(1);
      await new Promise((resolve) => process.nextTick(resolve));
      expect(transport.writableCorked).toBe(0);
      serverSide.send('second');
      await until(() => received.length === 2);
      expect(received).toEqual(['first', 'second']);
    } finally {
      await close();
    }
  });
});
