import { DataSource } from 'typeorm';
import { NumerologistAvailabilityEntity } from '@numerai/availability';
import { UserEntity } from '@numerai/users';
import { createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE, expectError, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { waitFor } from '../support/wait-for';
import { closeAll, openPresence } from '../ws/helpers';

noteSkippedPostgres('availability');

/** PUT /api/availability{path} as `user`. */
const put = (server: TestServer, user: TestUser, path: string, body: unknown) =>
  http(server.httpUrl, 'PUT', `/api/availability${path}`, { token: user.token, body });
const mine = async (server: TestServer, user: TestUser) =>
  (await http(server.httpUrl, 'GET', '/api/availability', { token: user.token })).body;

/** A new numerologist with `rate`, opted in over REST (no socket). */
async function availableAt(server: TestServer, rate: number): Promise<TestUser> {
  const numerologist = await createUser(server, { role: 'numerologist' });
  expect((await put(server, numerologist, '/rate', { rate_minor: rate })).status).toBe(200);
  expect((await put(server, numerologist, '', { status: 'available' })).status).toBe(200);
  return numerologist;
}

/**
 * Issue 28: a numerologist's public opt-in to live sessions (PUT /api/availability, /rate) and
 * the list clients see (GET /api/numerologists/available); offline on its own once the
 * numerologist's last socket has stayed closed for the presence grace period.
 */
describe(`availability (${ENGINE})`, () => {
  let server: TestServer;
  const listed = async (viewer: TestUser, query = '?limit=100') => {
    const res = await http(server.httpUrl, 'GET', `/api/numerologists/available${query}`, { token: viewer.token });
    expect(res.status).toBe(200);
    return res.body;
  };
  const listedIds = async (viewer: TestUser) =>
    (await listed(viewer)).items.map((item: { user_id: string }) => item.user_id) as string[];

  beforeAll(async () => {
    server = await startTestServer({
      RATE_LIMIT_PER_MINUTE: '100000',
      PRESENCE_GRACE_MS: '300',
      WALLET_RATE_MIN_MINOR: '10',
      WALLET_RATE_MAX_MINOR: '5000',
      // No availability sweep during these tests (it has its own suite below): they opt in without sockets.
      SCHEDULER_TICK_MS: '3600000',
    });
  });
  afterAll(() => server?.close());

  it('a numerologist opts in with a rate and is listed to any client, a stranger too, until busy or offline', async () => {
    const numerologist = await createUser(server, { role: 'numerologist', name: 'Pythia' });
    const stranger = await createUser(server);
    expect(await mine(server, numerologist)).toEqual({ status: 'offline', rate_minor: null, currency: 'USD' });
    expectError(await put(server, numerologist, '', { status: 'available' }), 409, 'rate');

    expect((await put(server, numerologist, '/rate', { rate_minor: 250 })).body).toEqual({
      status: 'offline',
      rate_minor: 250,
      currency: 'USD',
    });
    expect(await listedIds(stranger)).not.toContain(numerologist.id);
    expect((await put(server, numerologist, '', { status: 'available' })).body).toEqual({
      status: 'available',
      rate_minor: 250,
      currency: 'USD',
    });
    const { items } = await listed(stranger);
    expect(items).toContainEqual({ user_id: numerologist.id, full_name: 'Pythia', rate_minor: 250, currency: 'USD' });

    // A new rate shows at once, and does not change the status.
    expect((await put(server, numerologist, '/rate', { rate_minor: 300 })).body.status).toBe('available');
    expect((await listed(stranger)).items).toContainEqual(
      expect.objectContaining({ user_id: numerologist.id, rate_minor: 300 }),
    );

    expect((await put(server, numerologist, '', { status: 'busy' })).body.status).toBe('busy');
    expect(await listedIds(stranger)).not.toContain(numerologist.id);
    expect((await put(server, numerologist, '', { status: 'offline' })).body.status).toBe('offline');
    expect(await listedIds(stranger)).not.toContain(numerologist.id);
  });

  it('only numerologists have an availability; input is validated and the rate bounded', async () => {
    const client = await createUser(server);
    const numerologist = await createUser(server, { role: 'numerologist' });
    expectError(await put(server, client, '', { status: 'available' }), 403);
    expectError(await put(server, client, '/rate', { rate_minor: 100 }), 403);
    expectError(await http(server.httpUrl, 'GET', '/api/availability', { token: client.token }), 403);
    for (const body of [{ status: 'away' }, {}, { status: 'available', extra: 1 }]) {
      expectError(await put(server, numerologist, '', body), 400);
    }
    for (const rate of [9, 5001, 12.5, '100', 0, -1]) {
      expectError(await put(server, numerologist, '/rate', { rate_minor: rate }), 400);
    }
    expect(await mine(server, numerologist)).toEqual({ status: 'offline', rate_minor: null, currency: 'USD' });
    expectError(
      await http(server.httpUrl, 'GET', '/api/numerologists/available?cursor=x', { token: client.token }),
      400,
    );
    expectError(
      await http(server.httpUrl, 'GET', '/api/numerologists/available?limit=0', { token: client.token }),
      400,
    );
    expectError(await http(server.httpUrl, 'GET', '/api/numerologists/available'), 401);
  });

  it('the list pages by cursor, and leaves out blocked and erased numerologists', async () => {
    const viewer = await createUser(server);
    const three = [await availableAt(server, 100), await availableAt(server, 200), await availableAt(server, 300)];
    const seen: string[] = [];
    let cursor = '';
    for (;;) {
      const page = await listed(viewer, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item: { user_id: string }) => item.user_id));
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    for (const numerologist of three) expect(seen).toContain(numerologist.id);

    const [blocked, erased] = three;
    await server.app.get(DataSource).getRepository(UserEntity).update(blocked.id, { blockedAt: new Date() });
    const res = await http(server.httpUrl, 'DELETE', '/api/users/me', {
      token: erased.token,
      body: { password: erased.password },
    });
    expect(res.status).toBe(204);
    const after = await listedIds(viewer);
    expect(after).not.toContain(blocked.id);
    expect(after).not.toContain(erased.id);
    expect(after).toContain(three[2].id);
    // Not only hidden (the list skips erased users anyway): the erasure deleted the row itself.
    const rows = server.app.get(DataSource).getRepository(NumerologistAvailabilityEntity);
    expect(await rows.existsBy({ userId: erased.id })).toBe(false);
    expect(await rows.existsBy({ userId: three[2].id })).toBe(true);
  });

  it('a numerologist whose last presence socket closes goes offline after the grace period, not before', async () => {
    const viewer = await createUser(server);
    const numerologist = await availableAt(server, 150);
    const marker = await availableAt(server, 160);
    const first = await openPresence(server, numerologist);
    const second = await openPresence(server, numerologist);
    const markerSocket = await openPresence(server, marker);
    // One of two sockets closes, then the marker's only one: when the marker has gone offline,
    // the numerologist's grace period (started first) has run out too, with a socket still open.
    await closeAll(first.socket);
    await closeAll(markerSocket.socket);
    await waitFor('the marker offline', async () => (await mine(server, marker)).status === 'offline');
    expect((await mine(server, numerologist)).status).toBe('available');
    expect(await listedIds(viewer)).toContain(numerologist.id);

    await closeAll(second.socket);
    await waitFor('the numerologist offline', async () => (await mine(server, numerologist)).status === 'offline');
    expect(await listedIds(viewer)).not.toContain(numerologist.id);
  });
});

describe(`availability sweep (${ENGINE})`, () => {
  let server: TestServer;
  const statusOf = async (user: TestUser) => (await mine(server, user)).status;
  const optIn = () => availableAt(server, 100);

  beforeAll(async () => {
    server = await startTestServer({
      RATE_LIMIT_PER_MINUTE: '100000',
      PRESENCE_GRACE_MS: '300',
      SCHEDULER_TICK_MS: '200',
    });
  });
  afterAll(() => server?.close());

  it('makes offline whoever is shown available without being online; a connected numerologist stays', async () => {
    const connected = await optIn();
    const presence = await openPresence(server, connected);
    const absent = await optIn();
    await waitFor('the absent numerologist offline', async () => (await statusOf(absent)) === 'offline');
    // A sweep that began after that one has looked at the connected numerologist too.
    const later = await optIn();
    await waitFor('the later one offline', async () => (await statusOf(later)) === 'offline');
    expect(await statusOf(connected)).toBe('available');
    await closeAll(presence.socket);
    await waitFor('the connected one offline once gone', async () => (await statusOf(connected)) === 'offline');
  });
});
