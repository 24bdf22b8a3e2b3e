import { createConsultation } from '../support/factories';
import { http } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { testClient } from '@numerai/testing';
import { MetricsListener } from '@numerai/metrics';
import { REDIS_SERVER, RedisServer, waitFor } from './support/cluster';

/** /metrics and /health on a single in-process app: the embedded default, then with REDIS_URL. */

/** Where the scraper finds /metrics: the METRICS_PORT listener (these servers start with METRICS_PORT=0). */
const metricsUrl = (server: TestServer) => `http://127.0.0.1:${server.app.get(MetricsListener).port}/metrics`;

const scrape = async (server: TestServer) => {
  const res = await fetch(metricsUrl(server));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
};

const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((row) => row.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics without Redis (the embedded default)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ METRICS_PORT: '0' });
  });
  afterAll(() => server.close());

  it('counts connections per endpoint, frames by type, errors by code and fan-out delay; no token needed', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    const before = await scrape(server);
    const chatBefore = sample(before, 'numerai_ws_connections{endpoint="chat"}') ?? 0;
    const outBefore = sample(before, 'numerai_ws_frames_out_total{type="chat_message"}') ?? 0;

    const a = await testClient(server).chat(client, consultation.id);
    const b = await testClient(server).chat(numerologist, consultation.id);
    a.send('chat_message', { message: 'count me' });
    await b.next('chat_message');
    await a.next('chat_message');
    a.socket.send('{not json');
    await a.next('error');

    const during = await scrape(server);
    expect(sample(during, 'numerai_ws_connections{endpoint="chat"}')).toBe(chatBefore + 2);
    expect(sample(during, 'numerai_ws_frames_in_total{type="chat_message"}')).toBeGreaterThanOrEqual(1);
    // One broadcast to two recipients counts twice.
    expect(sample(during, 'numerai_ws_frames_out_total{type="chat_message"}')).toBe(outBefore + 2);
    expect(sample(during, 'numerai_ws_errors_total{code="invalid_json"}')).toBeGreaterThanOrEqual(1);
    expect(sample(during, 'numerai_fanout_delay_seconds_count{source="local"}')).toBeGreaterThanOrEqual(1);
    expect(sample(during, 'numerai_dependency_up{dependency="database"}')).toBe(1);
    expect(during).not.toContain('dependency="redis"');
    expect(during).toContain('process_resident_memory_bytes');

    await a.close();
    await b.close();
    await waitFor('the gauge to drop', async () => {
      return sample(await scrape(server), 'numerai_ws_connections{endpoint="chat"}') === chatBefore;
    });
  });

  it('/health reports only the database when REDIS_URL is not set', async () => {
    const res = await http(server.httpUrl, 'GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { database: 'up' } });
  });

  it('is never rate limited and never asks for a token', async () => {
    const statuses = await Promise.all(Array.from({ length: 20 }, () => fetch(metricsUrl(server))));
    expect(statuses.map((res) => res.status)).toEqual(statuses.map(() => 200));
  });
});

describe('/metrics is not on the public listener by default (issue 17)', () => {
  const TOKEN = 'scrape-token-0123456789abcdef';
  let plain: TestServer;
  let withToken: TestServer;
  beforeAll(async () => {
    plain = await startTestServer();
    withToken = await startTestServer({ METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await plain?.close();
    await withToken?.close();
  });

  it('neither METRICS_PORT nor METRICS_TOKEN: 404 on the public port, and no metrics listener', async () => {
    expect((await fetch(`${plain.httpUrl}/metrics`)).status).toBe(404);
    expect(plain.app.get(MetricsListener).port).toBeUndefined();
  });

  it('METRICS_TOKEN: the public port serves it to that bearer token only', async () => {
    const get = (authorization?: string) =>
      fetch(`${withToken.httpUrl}/metrics`, { headers: authorization ? { authorization } : {} });
    expect((await get()).status).toBe(401);
    expect((await get(`Bearer ${TOKEN}x`)).status).toBe(401);
    expect((await get(`Bearer ${TOKEN.slice(1)}`)).status).toBe(401);
    expect((await get(TOKEN)).status).toBe(401);
    const ok = await get(`Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('numerai_ws_connections');
  });

  it('METRICS_PORT: only /metrics there', async () => {
    const server = await startTestServer({ METRICS_PORT: '0' });
    try {
      const base = `http://127.0.0.1:${server.app.get(MetricsListener).port}`;
      expect((await fetch(`${base}/metrics`)).status).toBe(200);
      expect((await fetch(`${base}/health`)).status).toBe(404);
      expect((await fetch(`${server.httpUrl}/metrics`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

const describeIfRedis = REDIS_SERVER ? describe : describe.skip;
if (!REDIS_SERVER) process.stdout.write('/health with REDIS_URL: skipped: redis-server is not installed\n');

describeIfRedis('/health and /metrics with REDIS_URL', () => {
  let redis: RedisServer;
  let server: TestServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
    server = await startTestServer({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'health-test', METRICS_PORT: '0' });
    await waitFor('redis up', async () => (await http(server.httpUrl, 'GET', '/health')).status === 200);
  });
  afterAll(async () => {
    await server?.close();
    await redis?.stop();
  });

  it('redis "up", then "down" with 503 while it is stopped, then "up" again without a restart', async () => {
    expect((await http(server.httpUrl, 'GET', '/health')).body).toEqual({
      status: 'ok',
      checks: { database: 'up', redis: 'up' },
    });
    expect(sample(await scrape(server), 'numerai_dependency_up{dependency="redis"}')).toBe(1);

    await redis.stop();
    const down = await waitFor('503', async () => {
      const res = await http(server.httpUrl, 'GET', '/health');
      return res.status === 503 ? res : undefined;
    });
    expect(down.value.body).toEqual({ status: 'error', checks: { database: 'up', redis: 'down' } });
    expect(sample(await scrape(server), 'numerai_dependency_up{dependency="redis"}')).toBe(0);

    // REST keeps working (the rate limit counts locally meanwhile).
    const { client } = await createConsultation(server);
    expect((await http(server.httpUrl, 'GET', '/api/notifications/unread-count', { token: client.token })).status).toBe(
      200,
    );

    await redis.restart();
    const back = await waitFor('200', async () => (await http(server.httpUrl, 'GET', '/health')).status === 200, 5000);
    process.stdout.write(`/health back to 200 ${back.ms} ms after redis-server restarted\n`);
    const lost = server.logs.filter((line) => line.includes('Redis connection lost'));
    const restored = server.logs.filter((line) => line.includes('Redis connection restored'));
    expect([lost.length, restored.length]).toEqual([1, 1]);
  });
});
