import WebSocket from 'ws';
import { createUser } from '../support/factories';
import { startTestServer, TestServer } from '../support/server';

/** Per-IP upgrade limits must count the real client behind a trusted proxy, not the proxy. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ WS_UPGRADES_PER_MINUTE_PER_IP: '3', TRUST_PROXY: 'loopback' });
});
afterAll(() => server.close());

function upgrade(token: string, forwardedFor: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.wsUrl}/ws/presence/?token=${token}`, {
      headers: { 'x-forwarded-for': forwardedFor },
    });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_request, response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    ws.once('error', reject);
  });
}

test('the limit follows X-Forwarded-For from a trusted (loopback) proxy', async () => {
  const user = await createUser(server);
  for (let i = 0; i < 3; i++) expect(await upgrade(user.token, '203.0.113.7')).toBe(101);
  expect(await upgrade(user.token, '203.0.113.7')).toBe(429);
  expect(await upgrade(user.token, '198.51.100.9')).toBe(101);
});
