import type { TestUser } from '../../support/factories';
import { http } from '../../support/http';
import { startTestServer, type TestServer } from '../../support/server';

/** A real server whose access tokens live four seconds: a renewal is due after about two, the server closes at four. */
export function startShortTokenServer(): Promise<TestServer> {
  return startTestServer({ JWT_EXPIRES_IN: '4' });
}

/** Gets `user` a new access token the way an app's getToken would before refresh tokens: signing in again. */
export function signInAgain(server: Pick<TestServer, 'httpUrl'>, user: TestUser): () => Promise<string> {
  return async () => {
    const res = await http(server.httpUrl, 'POST', '/api/auth/login', {
      body: { email: user.email, password: user.password },
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
    return (res.body as { access_token: string }).access_token;
  };
}
