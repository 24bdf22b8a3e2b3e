import { get, type IncomingHttpHeaders } from 'node:http';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { startTestServer, TestServer } from '../support/server';

/**
 * Text responses are compressed when the client asks (the AsyncAPI renderer is 3 MB, Swagger
 * UI's bundle 1.6 MB) and sent as they are when it does not. Requests go through node:http,
 * not fetch, which would ask for gzip itself and decompress out of sight.
 */
interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function getRaw(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { connection: 'close', ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on('error', reject);
    }).on('error', reject);
  });
}

describe('response compression', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const RENDERER = require.resolve('@asyncapi/react-component/browser/standalone/index.js');

  it.each([
    ['the AsyncAPI renderer', '/api/asyncapi/renderer.js'],
    ["Swagger UI's bundle", '/api/docs/swagger-ui-bundle.js'],
    ['the Swagger UI page', '/api/docs'],
  ])('%s: gzip when asked for, the same bytes once decompressed, identity otherwise', async (_name, path) => {
    const plain = await getRaw(`${server.httpUrl}${path}`);
    const gzipped = await getRaw(`${server.httpUrl}${path}`, { 'accept-encoding': 'gzip' });

    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gzipped.status).toBe(200);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toMatch(/accept-encoding/i);
    expect(gzipped.body.length).toBeLessThan(plain.body.length / 2);
    expect(gunzipSync(gzipped.body).equals(plain.body)).toBe(true);
    if (path.endsWith('renderer.js')) expect(plain.body.equals(readFileSync(RENDERER))).toBe(true);
  });

  it('a response below the 1 kB threshold goes out as it is, even when gzip is offered', async () => {
    const health = await getRaw(`${server.httpUrl}/health`, { 'accept-encoding': 'gzip' });
    expect(health.body.length).toBeLessThan(1024);
    expect(health.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(health.body.toString('utf8'))).toEqual(expect.objectContaining({ status: expect.any(String) }));
  });
});
