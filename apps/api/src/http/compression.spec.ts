import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGunzip } from 'node:zlib';
import { compressionMiddleware } from './compression';

/**
 * A streamed response is compressed write by write: what the handler has written reaches the
 * client, decompressible, while the response is still open (an export, a long poll, events).
 */
describe('compressionMiddleware on a streamed response', () => {
  let server: Server;
  let finish: () => void;
  const handlerDone = new Promise<void>((resolve) => (finish = resolve));

  beforeAll(async () => {
    const middleware = compressionMiddleware();
    server = createServer((req, res) => {
      middleware(req as never, res as never, () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first part of a long response\n');
        void handlerDone.then(() => res.end('last part\n'));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    finish();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('the first part arrives, gzipped, before the handler ends the response', async () => {
    const { port } = server.address() as AddressInfo;
    const text = await new Promise<string>((resolve, reject) => {
      get({ port, host: '127.0.0.1', headers: { 'accept-encoding': 'gzip', connection: 'close' } }, (response) => {
        expect(response.headers['content-encoding']).toBe('gzip');
        let received = '';
        const gunzip = createGunzip();
        gunzip.on('data', (chunk: Buffer) => {
          received += chunk.toString('utf8');
          if (received.includes('\n')) {
            resolve(received);
            finish();
          }
        });
        gunzip.on('error', reject);
        response.pipe(gunzip);
      }).on('error', reject);
    });
    expect(text).toBe('first part of a long response\n');
  }, 10_000);
});
