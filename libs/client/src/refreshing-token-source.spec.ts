import { createRefreshingTokenSource } from './refreshing-token-source';

/** fetch that answers the refresh endpoint like rest.md: each refresh token works once. */
function refreshEndpoint() {
  const presented: string[] = [];
  let issued = 0;
  const valid = new Set(['r0']);
  const pending: Array<() => void> = [];
  let hold = false;
  const fetch = jest.fn(async (url: string, init: RequestInit) => {
    const { refresh_token } = JSON.parse(String(init.body)) as { refresh_token: string };
    presented.push(refresh_token);
    if (hold) await new Promise<void>((resolve) => pending.push(resolve));
    if (!valid.delete(refresh_token)) return new Response('{"statusCode":401}', { status: 401 });
    issued += 1;
    valid.add(`r${issued}`);
    const body = { access_token: `a${issued}`, token_type: 'Bearer', expires_in: 900, refresh_token: `r${issued}` };
    return new Response(JSON.stringify(body), { status: 200 });
  });
  return {
    fetch: fetch as unknown as typeof globalThis.fetch,
    calls: fetch,
    presented,
    holdAnswers: () => (hold = true),
    release: () => pending.splice(0).forEach((resolve) => resolve()),
  };
}

describe('createRefreshingTokenSource', () => {
  it('posts the refresh token, rotates to the new one and hands the answer to onTokens', async () => {
    const endpoint = refreshEndpoint();
    const onTokens = jest.fn();
    const source = createRefreshingTokenSource({
      baseUrl: 'wss://api.test/ws/',
      refreshToken: 'r0',
      fetch: endpoint.fetch,
      onTokens,
    });
    expect(await source.getToken()).toBe('a1');
    expect(await source.getToken()).toBe('a2');
    expect(endpoint.presented).toEqual(['r0', 'r1']);
    expect(endpoint.calls.mock.calls[0][0]).toBe('https://api.test/api/auth/refresh');
    expect(source.refreshToken).toBe('r2');
    expect(onTokens).toHaveBeenLastCalledWith(expect.objectContaining({ access_token: 'a2', refresh_token: 'r2' }));
  });

  it('single-flight: concurrent callers share one refresh (a refresh token is spent once)', async () => {
    const endpoint = refreshEndpoint();
    const source = createRefreshingTokenSource({
      baseUrl: 'http://api.test',
      refreshToken: 'r0',
      fetch: endpoint.fetch,
    });
    endpoint.holdAnswers();
    const answers = Promise.all([source.getToken(), source.getToken(), source.getToken()]);
    await new Promise((resolve) => setImmediate(resolve));
    endpoint.release();
    expect(await answers).toEqual(['a1', 'a1', 'a1']);
    expect(endpoint.presented).toEqual(['r0']);
  });

  it('a refused refresh token ends the session: null, onTokens(null), no further requests', async () => {
    const endpoint = refreshEndpoint();
    const onTokens = jest.fn();
    const source = createRefreshingTokenSource({
      baseUrl: 'http://api.test',
      refreshToken: 'spent',
      fetch: endpoint.fetch,
      onTokens,
    });
    expect(await source.getToken()).toBeNull();
    expect(onTokens).toHaveBeenCalledWith(null);
    expect(await source.getToken()).toBeNull();
    expect(endpoint.calls).toHaveBeenCalledTimes(1);
  });

  it('a server failure rejects and keeps the refresh token for the next try', async () => {
    const fetch = jest.fn(async () => new Response('oops', { status: 503 }));
    const source = createRefreshingTokenSource({
      baseUrl: 'http://api.test',
      refreshToken: 'r0',
      fetch: fetch as unknown as typeof globalThis.fetch,
    });
    await expect(source.getToken()).rejects.toThrow('503');
    expect(source.refreshToken).toBe('r0');
  });
});
