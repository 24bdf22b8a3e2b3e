import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postForStatus } from './push-request';

/** postForStatus against a real listener on 127.0.0.1. */
describe('postForStatus', () => {
  let server: Server;
  let port: number;
  let bodyBytesWritten = 0;
  const closed: Promise<void>[] = [];
  const chunk = Buffer.alloc(64 * 1024);

  beforeAll(async () => {
    server = createServer((req, res) => {
      closed.push(new Promise((resolve) => res.once('close', resolve)));
      if (req.url === '/silent') return; // never answers
      res.writeHead(req.url === '/busy' ? 429 : 201, { 'retry-after': '7' });
      const pump = (): void => {
        // Endless: only the reader going away stops it.
        while (!res.destroyed) {
          bodyBytesWritten += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  // `.invalid` never resolves (RFC 6761): the request reaches the listener only through the pinned address.
  const target = (path: string) => ({
    url: new URL(`http://push.invalid:${port}${path}`),
    address: '127.0.0.1',
    family: 4 as const,
  });

  it('connects to the pinned address, whatever DNS would say', async () => {
    await expect(postForStatus(target('/ok'), {}, Buffer.from('x'), 5000)).resolves.toEqual({
      status: 201,
      retryAfter: '7',
    });
  });

  it('settles on the headers of an endless answer and closes the connection without reading on', async () => {
    const before = closed.length;
    const answer = await postForStatus(target('/busy'), {}, Buffer.from('x'), 5000);
    expect(answer).toEqual({ status: 429, retryAfter: '7' });
    await closed[before];
    expect(bodyBytesWritten).toBeLessThan(16 * 1024 * 1024);
  });

  it('gives up on a service that does not answer within the timeout', async () => {
    await expect(postForStatus(target('/silent'), {}, Buffer.from('x'), 200)).rejects.toThrow('did not answer in time');
  });
});
