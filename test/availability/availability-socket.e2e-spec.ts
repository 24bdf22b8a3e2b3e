import type { ServerFrame } from '@numerai/protocol';
import { type EndpointConnection, OpenSockets, testClient } from '@numerai/testing';
import { createConsultation, createUser, TestUser } from '../support/factories';
import type { TestSocket } from '../support/ws-client';
import { http } from '../support/http';
import { ENGINE, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { closeAll, createAdmin, errorFrame, openPresence } from '../ws/helpers';

noteSkippedPostgres('availability socket');

const put = (server: TestServer, user: TestUser, path: string, body: unknown) =>
  http(server.httpUrl, 'PUT', `/api/availability${path}`, { token: user.token, body });

/** A numerologist with `rate` set, offline (never opted in). */
async function withRate(server: TestServer, rate: number, name?: string): Promise<TestUser> {
  const numerologist = await createUser(server, { role: 'numerologist', ...(name ? { name } : {}) });
  expect((await put(server, numerologist, '/rate', { rate_minor: rate })).status).toBe(200);
  return numerologist;
}

async function setStatus(server: TestServer, numerologist: TestUser, status: string): Promise<void> {
  expect((await put(server, numerologist, '', { status })).status).toBe(200);
}

/**
 * The next `availability_changed` about `user`: numerologists of earlier tests may still change
 * (their presence grace running out), so frames are matched by who they are about.
 */
const changeOf = (socket: EndpointConnection<'availability'>, user: TestUser) =>
  socket.socket.nextMatching('availability_changed', (frame) => frame.user_id === user.id, `a change of ${user.id}`);

/** `set_availability` from someone who is no numerologist: `forbidden`; a status the contract lacks: `validation_failed`. */
async function refusesSetAvailability({ socket }: { socket: TestSocket }) {
  for (const [status, code] of [
    ['available', 'forbidden'],
    ['away', 'validation_failed'],
  ] as const) {
    socket.send({ type: 'set_availability', status });
    expect(await socket.next('error')).toEqual(errorFrame(code));
  }
}

/** Whether any frame received so far names `userId`. */
const mentions = (frames: ServerFrame[], userId: string) => JSON.stringify(frames).includes(userId);

/**
 * Issue 28: `/ws/availability/`, the public listing kept live — a first page, then
 * `availability_changed` for whoever joins, changes rate in, or leaves the listing. Only a
 * numerologist's own opt-in puts them there: a stranger sees nobody else, ever.
 */
describe(`availability socket (${ENGINE})`, () => {
  let server: TestServer;
  const opened = new OpenSockets();
  const client = () => testClient(server, { track: opened });

  beforeAll(async () => {
    server = await startTestServer({
      RATE_LIMIT_PER_MINUTE: '100000',
      PRESENCE_GRACE_MS: '300',
      // No sweep: these numerologists opt in without sockets.
      SCHEDULER_TICK_MS: '3600000',
    });
  });
  afterEach(() => opened.closeAll());
  afterAll(() => server?.close());

  it('opens with a page of who is available, then tells every change of the listing in order', async () => {
    const listedBefore = await withRate(server, 120, 'Early Bird');
    await setStatus(server, listedBefore, 'available');
    const viewer = await createUser(server);
    const socket = await client().availability(viewer);
    expect(socket.established).toEqual({ type: 'connection_established', message: 'Connected to availability' });
    const first = await socket.next('available_page');
    expect(first.items).toContainEqual({
      user_id: listedBefore.id,
      full_name: 'Early Bird',
      rate_minor: 120,
      currency: 'USD',
    });
    expect(first.items.map((item) => item.user_id)).toEqual(first.items.map((item) => item.user_id).sort());

    const joining = await withRate(server, 200, 'Pythia');
    await setStatus(server, joining, 'available');
    const change = { user_id: joining.id, full_name: 'Pythia', currency: 'USD' };
    expect(await changeOf(socket, joining)).toEqual({
      type: 'availability_changed',
      ...change,
      status: 'available',
      rate_minor: 200,
    });
    expect((await put(server, joining, '/rate', { rate_minor: 250 })).status).toBe(200);
    expect(await changeOf(socket, joining)).toEqual({
      type: 'availability_changed',
      ...change,
      status: 'available',
      rate_minor: 250,
    });
    await setStatus(server, joining, 'busy');
    expect(await changeOf(socket, joining)).toEqual({
      type: 'availability_changed',
      ...change,
      status: 'busy',
      rate_minor: 250,
    });
    await setStatus(server, joining, 'available');
    expect((await changeOf(socket, joining)).status).toBe('available');
    await setStatus(server, listedBefore, 'offline');
    expect(await changeOf(socket, listedBefore)).toMatchObject({ user_id: listedBefore.id, status: 'offline' });

    // A second viewer connecting now sees the listing as it is.
    const late = await client().availability(await createUser(server));
    const ids = (await late.next('available_page')).items.map((item) => item.user_id);
    expect(ids).toContain(joining.id);
    expect(ids).not.toContain(listedBefore.id);
  });

  it('never mentions a numerologist who did not opt in, whatever they change', async () => {
    const viewer = await createUser(server);
    const socket = await client().availability(viewer);
    await socket.next('available_page');
    const shy = await withRate(server, 300);
    expect((await put(server, shy, '/rate', { rate_minor: 310 })).status).toBe(200);
    await setStatus(server, shy, 'busy');
    await setStatus(server, shy, 'offline');
    // A presence socket that closes makes them offline again (already offline: nothing written).
    const presence = await openPresence(server, shy);
    await closeAll(presence.socket);
    // The marker's change is applied after everything above: had any of it been told, it came first.
    const marker = await withRate(server, 100);
    await setStatus(server, marker, 'available');
    await changeOf(socket, marker);
    expect(mentions(socket.socket.frames, shy.id)).toBe(false);
    const fresh = await client().availability(await createUser(server));
    await fresh.next('available_page');
    expect(mentions(fresh.socket.frames, shy.id)).toBe(false);
  });

  it('a listed numerologist whose last socket closes leaves the listing after the grace period', async () => {
    const numerologist = await withRate(server, 150);
    const presence = await openPresence(server, numerologist);
    await setStatus(server, numerologist, 'available');
    const socket = await client().availability(await createUser(server));
    expect((await socket.next('available_page')).items.map((item) => item.user_id)).toContain(numerologist.id);
    await closeAll(presence.socket);
    expect(await changeOf(socket, numerologist)).toMatchObject({ user_id: numerologist.id, status: 'offline' });
  });

  it('a live session takes the numerologist out of the listing (busy) and its end brings them back', async () => {
    const { consultation, client: payer, numerologist } = await createConsultation(server, { status: 'active' });
    expect((await put(server, numerologist, '/rate', { rate_minor: 100 })).status).toBe(200);
    await setStatus(server, numerologist, 'available');
    const admin = await createAdmin(server);
    const grant = await http(server.httpUrl, 'POST', `/api/admin/wallets/${payer.id}/grants`, {
      token: admin.token,
      body: { amount: 1000, idempotency_key: `listing-${payer.id}` },
    });
    expect(grant.status).toBe(201);
    const socket = await client().availability(await createUser(server));
    expect((await socket.next('available_page')).items.map((item) => item.user_id)).toContain(numerologist.id);

    const live = (user: TestUser, action: string) =>
      http(server.httpUrl, 'POST', `/api/consultations/${consultation.id}/session${action}`, { token: user.token });
    expect((await live(payer, '')).status).toBe(201);
    expect((await live(numerologist, '/accept')).status).toBe(200);
    expect(await changeOf(socket, numerologist)).toMatchObject({ user_id: numerologist.id, status: 'busy' });
    expect((await live(payer, '/end')).status).toBe(200);
    expect(await changeOf(socket, numerologist)).toMatchObject({ user_id: numerologist.id, status: 'available' });
  });

  it('pages on request, after a cursor', async () => {
    for (const rate of [101, 102, 103]) await setStatus(server, await withRate(server, rate), 'available');
    const socket = await client().availability(await createUser(server));
    const first = await socket.next('available_page');
    expect(first.items.length).toBeGreaterThanOrEqual(3);
    const cursor = first.items[0].user_id;
    socket.send('list_available', { cursor });
    const next = await socket.next('available_page');
    expect(next.items.map((item) => item.user_id)).toEqual(first.items.slice(1).map((item) => item.user_id));
    socket.send('list_available', { cursor: 'not-a-uuid' } as never);
    expect(await socket.next('error')).toEqual(errorFrame('validation_failed'));
  });

  it('a numerologist sets their own status on the socket; nobody else can', async () => {
    const numerologist = await createUser(server, { role: 'numerologist' });
    const own = await client().availability(numerologist);
    await own.next('available_page');
    own.send('set_availability', { status: 'available' });
    // No rate yet: refused, as over REST.
    expect(await own.next('error')).toEqual(errorFrame('validation_failed'));
    expect((await put(server, numerologist, '/rate', { rate_minor: 180 })).status).toBe(200);
    own.send('set_availability', { status: 'available' });
    // The listing's change and the answer race each other: both come.
    expect(
      await own.socket.nextMatching(
        'availability_changed',
        (frame) => frame.user_id === numerologist.id,
        'the numerologist listed',
      ),
    ).toMatchObject({ status: 'available', rate_minor: 180 });
    expect(await own.next('availability_set')).toEqual({
      type: 'availability_set',
      status: 'available',
      rate_minor: 180,
      currency: 'USD',
    });

    const viewer = await client().availability(await createUser(server));
    await viewer.next('available_page');
    await refusesSetAvailability(viewer);
  });

  it('a numerologist sets their own status on the presence socket too; nobody else can', async () => {
    const numerologist = await withRate(server, 190, 'Sibyl');
    const listing = await client().availability(await createUser(server));
    await listing.next('available_page');
    const presence = await client().presence(numerologist);
    await presence.next('presence_state');
    presence.send('set_availability', { status: 'available' });
    expect(await presence.next('availability_set')).toEqual({
      type: 'availability_set',
      status: 'available',
      rate_minor: 190,
      currency: 'USD',
    });
    expect(await changeOf(listing, numerologist)).toMatchObject({ status: 'available', rate_minor: 190 });
    presence.send('set_availability', { status: 'busy' });
    expect((await presence.next('availability_set')).status).toBe('busy');
    expect(await changeOf(listing, numerologist)).toMatchObject({ status: 'busy' });
    const mine = await http<{ status: string }>(server.httpUrl, 'GET', '/api/availability', {
      token: numerologist.token,
    });
    expect(mine.body.status).toBe('busy');

    const stranger = await client().presence(await createUser(server));
    await stranger.next('presence_state');
    await refusesSetAvailability(stranger);
  });

  it('refuses a socket without a valid token', async () => {
    const viewer = await createUser(server);
    await expect(client().availability(viewer, { token: 'forged' })).rejects.toMatchObject({
      frame: errorFrame('unauthorized'),
      closeCode: 4401,
    });
  });
});

describe(`availability socket: bounded subscribers (${ENGINE})`, () => {
  let server: TestServer;
  const opened = new OpenSockets();

  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '100000', AVAILABILITY_MAX_SUBSCRIBERS: '1' });
  });
  afterEach(() => opened.closeAll());
  afterAll(() => server?.close());

  it('refuses a subscriber past AVAILABILITY_MAX_SUBSCRIBERS on an instance, and admits one once a slot is free', async () => {
    const client = testClient(server, { track: opened });
    const first = await client.availability(await createUser(server));
    await first.next('available_page');
    await expect(client.availability(await createUser(server))).rejects.toMatchObject({
      frame: errorFrame('too_many_connections'),
      closeCode: 4429,
    });
    await first.close();
    const again = await client.availability(await createUser(server));
    await again.next('available_page');
  });
});
