import type { TestUser } from '../support/factories';
import { http } from '../support/http';
import type { TestSocket } from '../support/ws-client';
import { withTimeout } from './helpers';

type Server = { httpUrl: string };

/** Logs `user` in once more: the same user with the tokens of a new, separate session. */
export async function newSession(server: Server, user: TestUser): Promise<TestUser> {
  const res = await http(server.httpUrl, 'POST', '/api/auth/login', {
    body: { email: user.email, password: user.password },
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...user, token: res.body.access_token, refreshToken: res.body.refresh_token };
}

/** The answer of GET /api/users/me with `token`: 200 while its session lives, 401 once it ended. */
export async function meStatus(server: Server, token: string): Promise<number> {
  return (await http(server.httpUrl, 'GET', '/api/users/me', { token })).status;
}

/**
 * A socket of an ended session, as the contract has it: exactly one `error` frame (code
 * `unauthorized`) and it is the last frame, then the close with 4401.
 */
export async function expectSessionEnded(socket: TestSocket, timeoutMs = 10_000): Promise<void> {
  const closed = await withTimeout(socket.closed, timeoutMs, 'the 4401 close of an ended session');
  expect(closed.code).toBe(4401);
  const errors = socket.frames.filter((frame) => frame.type === 'error');
  expect(errors).toEqual([{ type: 'error', code: 'unauthorized', message: expect.any(String) }]);
  expect(socket.frames.at(-1)).toBe(errors[0]);
}

/** The positive marker that a socket is still open and served: a ping answered by a pong. */
export async function expectServed(socket: TestSocket): Promise<void> {
  socket.send({ type: 'ping' });
  expect(await socket.next('pong')).toEqual({ type: 'pong' });
}
