import { http } from '../support/http';
import { ENGINE, expectError, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';

noteSkippedPostgres('rest: operations');

describe(`operations endpoints (${ENGINE})`, () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('GET /health → 200 {status: "ok", checks: {database: "up"}} without a token', async () => {
    const res = await http(server.httpUrl, 'GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: expect.objectContaining({ database: 'up' }) });
    // Redis is reported only when it is configured.
    if (!server.config.redisUrl) expect(res.body.checks).toEqual({ database: 'up' });
  });

  it('GET /api/docs serves the Swagger UI', async () => {
    const res = await http(server.httpUrl, 'GET', '/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(String(res.body)).toContain('swagger');
  });

  it('GET /api/docs-json is the OpenAPI document with every REST path of rest.md', async () => {
    const res = await http(server.httpUrl, 'GET', '/api/docs-json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    const expected: Array<[string, string]> = [
      ['/api/auth/register', 'post'],
      ['/api/auth/login', 'post'],
      ['/api/users/me', 'get'],
      ['/api/consultations', 'post'],
      ['/api/consultations', 'get'],
      ['/api/consultations/{id}', 'get'],
      ['/api/consultations/{id}', 'patch'],
      ['/health', 'get'],
    ];
    for (const [path, method] of expected) {
      expect({ path, method, documented: Boolean(paths[path]?.[method]) }).toEqual({ path, method, documented: true });
    }
    expect(res.body.components.securitySchemes).toHaveProperty('bearer');
  });

  it('an unknown route is a 404 in the error shape', async () => {
    expectError(await http(server.httpUrl, 'GET', '/api/nothing-here'), 404);
  });
});
