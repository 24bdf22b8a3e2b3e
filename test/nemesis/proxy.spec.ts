import { connect, createServer, Server, Socket } from 'node:net';
import { Proxy } from './proxy';

/** The nemesis' link proxy against a real echo server: latency, held bytes in a partition, resets. */
describe('nemesis link proxy', () => {
  let echo: Server;
  let proxy: Proxy;
  const clients: Socket[] = [];

  beforeEach(async () => {
    echo = createServer((socket) => socket.on('error', () => undefined).pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const probe = createServer();
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      }),
    );
    proxy = await Proxy.start('test', port, (echo.address() as { port: number }).port);
  });

  afterEach(async () => {
    clients.forEach((client) => client.destroy());
    await proxy.close();
    await new Promise((resolve) => echo.close(resolve));
  });

  async function open(): Promise<Socket> {
    const client = connect(proxy.port, '127.0.0.1');
    clients.push(client);
    await new Promise((resolve) => client.once('connect', resolve));
    return client;
  }

  function roundTrip(client: Socket, text: string): Promise<number> {
    const started = Date.now();
    return new Promise((resolve) => {
      let got = '';
      const onData = (chunk: Buffer) => {
        got += chunk.toString();
        if (got.length >= text.length) {
          client.off('data', onData);
          resolve(Date.now() - started);
        }
      };
      client.on('data', onData);
      client.write(text);
    });
  }

  it('adds the latency to each direction', async () => {
    const client = await open();
    expect(await roundTrip(client, 'fast')).toBeLessThan(100);
    proxy.latencyMs = 150;
    expect(await roundTrip(client, 'slow')).toBeGreaterThanOrEqual(290);
  });

  it('holds the bytes of a partitioned direction and delivers them, in order, once it heals', async () => {
    const client = await open();
    proxy.partition('up');
    const answer = roundTrip(client, 'held');
    // A connection opened during the partition waits for it too (its connect is held).
    const other = await open();
    const otherAnswer = roundTrip(other, 'x');
    // The fault lasts 300 ms: no answer can come before the heal, so each takes at least that long.
    await new Promise((resolve) => setTimeout(resolve, 300));
    proxy.unblock();
    expect(await answer).toBeGreaterThanOrEqual(300);
    expect(await otherAnswer).toBeGreaterThanOrEqual(290);
  });

  it('resets every open connection', async () => {
    const client = await open();
    await roundTrip(client, 'up');
    const error = new Promise<NodeJS.ErrnoException>((resolve) => client.once('error', resolve));
    expect(proxy.reset()).toBe(1);
    expect((await error).code).toBe('ECONNRESET');
  });
});
