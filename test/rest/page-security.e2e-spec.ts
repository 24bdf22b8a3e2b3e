import { http } from '../support/http';
import { startTestServer, TestServer } from '../support/server';

/**
 * The pages this server renders, and the files under them, carry a Content-Security-Policy of
 * their own, forbid framing and MIME sniffing. (That the pages still work under it is checked in
 * a real browser: test/browser/demo and test/browser/api-docs.)
 */
describe('security headers of the demo page and Swagger UI', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  /** The policy's directives by name. */
  function directives(policy: string | null): Record<string, string> {
    return Object.fromEntries(
      (policy ?? '').split(';').map((directive) => {
        const [name, ...values] = directive.trim().split(/\s+/);
        return [name, values.join(' ')];
      }),
    );
  }

  it.each([
    ['/demo/', { 'script-src': "'self'", 'connect-src': "'self'", 'worker-src': "'self'" }],
    ['/demo/favicon.svg', { 'script-src': "'self'" }],
    ['/api/docs', { 'script-src': "'self'", 'connect-src': "'self'" }],
    ['/api/docs/swagger-ui-init.js', { 'script-src': "'self'" }],
  ])('%s: its CSP (nothing by default, no framing), X-Frame-Options DENY, nosniff', async (path, expected) => {
    const response = await http(server.httpUrl, 'GET', path);
    // The demo answers 503 where it has not been built (the fast tier builds nothing): same headers.
    expect([200, 503]).toContain(response.status);
    const csp = directives(response.headers.get('content-security-policy'));
    expect(csp).toMatchObject({ 'default-src': "'none'", 'frame-ancestors': "'none'", ...expected });
    expect(csp['script-src']).not.toMatch(/unsafe/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
