import { createUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE, expectError, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { WEBHOOK_SECRET } from './payments';

noteSkippedPostgres('demo top-up');

const balanceOf = async (server: TestServer, token: string) =>
  (await http<{ balance: number }>(server.httpUrl, 'GET', '/api/wallet', { token })).body.balance;
const topUp = (server: TestServer, token: string | undefined, body: unknown) =>
  http<{ received: boolean; applied: boolean }>(server.httpUrl, 'POST', '/api/demo/top-up', { token, body });

/**
 * The demo page's top-up (DEMO_TOP_UPS=true): the server signs a Stripe-format event with
 * STRIPE_WEBHOOK_SECRET and passes it through the webhook's verification. Off, the route does
 * not exist.
 */
describe(`demo top-up (${ENGINE})`, () => {
  const servers: TestServer[] = [];
  const start = async (env: Record<string, string>) => {
    const server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '100000', ...env });
    servers.push(server);
    return server;
  };
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  it('tops the caller’s own wallet up through a locally signed, verified event', async () => {
    const server = await start({ DEMO_TOP_UPS: 'true', STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET });
    const user = await createUser(server);
    expect(await balanceOf(server, user.token)).toBe(0);
    const res = await topUp(server, user.token, { amount: 1500 });
    expect(res).toMatchObject({ status: 200, body: { received: true, applied: true } });
    expect((await topUp(server, user.token, { amount: 500 })).status).toBe(200);
    expect(await balanceOf(server, user.token)).toBe(2000);
    for (const amount of [0, -1, 100_001, 12.5, '100']) expectError(await topUp(server, user.token, { amount }), 400);
    expectError(await topUp(server, user.token, { amount: 100, user_id: user.id }), 400);
    expectError(await topUp(server, undefined, { amount: 100 }), 401);
    expect(await balanceOf(server, user.token)).toBe(2000);
  });

  it('is not there unless DEMO_TOP_UPS=true, and answers 503 without a webhook secret', async () => {
    const off = await start({ STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET });
    const user = await createUser(off);
    expectError(await topUp(off, user.token, { amount: 100 }), 404);
    const unsigned = await start({ DEMO_TOP_UPS: 'true' });
    expectError(await topUp(unsigned, (await createUser(unsigned)).token, { amount: 100 }), 503);
  });
});
