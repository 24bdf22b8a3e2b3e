import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { expectError } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { TestSocket } from '../support/ws-client';
import { waitFor } from '../support/wait-for';
import { chatUrl, closeAll, expectRefused, ISO, openChat, openNotifications, openPresence } from './helpers';

const GRACE_MS = 600;

/** `/ws/presence/` and GET /api/presence: contacts only, online on the first connection, offline after the grace. */
describe('ws: presence', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PRESENCE_GRACE_MS: String(GRACE_MS) });
  });
  afterAll(() => server.close());

  /** A consultation the numerologist accepted (active): only that makes its two participants contacts. */
  const contactPair = (options: Parameters<typeof createConsultation>[1] = {}, on = server) =>
    createConsultation(on, { status: 'active', ...options });

  /** A client and a numerologist sharing a consultation, and a stranger who shares none with either. */
  async function trio() {
    const { consultation, client, numerologist } = await contactPair();
    const stranger = await createUser(server);
    // The stranger has contacts of their own, so they do hear presence in general.
    await contactPair({ client: stranger });
    return { consultation, client, numerologist, stranger };
  }

  const lookup = (user: TestUser, query = '', on = server) =>
    http(on.httpUrl, 'GET', `/api/presence${query}`, { token: user.token });

  /** Online = one connection on any endpoint; this opens a notifications one. */
  const goOnline = async (user: TestUser, on = server) => (await openNotifications(on, user)).socket;

  /** A presence socket's view: its snapshot, then the changes after it. */
  function viewOf({ socket, users }: { socket: TestSocket; users: { user_id: string }[] }): string[] {
    const online = new Set(users.map((u) => u.user_id));
    for (const frame of socket.frames.slice(2)) {
      if (frame.type === 'user_online') online.add(frame.user_id);
      if (frame.type === 'user_offline') online.delete(frame.user_id);
    }
    return [...online].sort();
  }

  /**
   * The marker for "nothing about anyone else, even once the grace period is over": a new contact
   * of `viewer` comes online and leaves. Its user_offline comes a grace period after it left, and
   * the grace timers of connections that closed before it run out first, so the watcher's next two
   * frames are the marker's own only when nothing else (no offline, no second online) was on its way.
   */
  async function graceMarker(watcher: TestSocket, viewer: TestUser, on = server, graceMs = GRACE_MS): Promise<void> {
    const { numerologist: marker } = await contactPair({ client: viewer }, on);
    const socket = await goOnline(marker, on);
    expect(await watcher.next()).toEqual({ type: 'user_online', user_id: marker.id, user_name: marker.name });
    await socket.close();
    expect(await watcher.next(undefined, graceMs * 10)).toEqual({
      type: 'user_offline',
      user_id: marker.id,
      last_seen: expect.stringMatching(ISO),
    });
  }

  it('presence_state lists the contacts online right now, never strangers or oneself', async () => {
    const { client, numerologist, stranger } = await trio();
    await contactPair({ client }); // a second contact, offline
    const online = [await goOnline(numerologist), await goOnline(stranger)];
    const { socket, users } = await openPresence(server, client);
    expect(users).toEqual([{ user_id: numerologist.id, user_name: numerologist.name }]);
    await socket.expectSilence();
    const strangerView = await openPresence(server, stranger);
    expect(strangerView.users.map((u) => u.user_id)).not.toContain(client.id);
    expect(strangerView.users.map((u) => u.user_id)).not.toContain(numerologist.id);
    await closeAll(socket, strangerView.socket, ...online);
  });

  it('user_online goes to contacts when the first connection (any endpoint) opens, once; strangers never hear it', async () => {
    const { consultation, client, numerologist, stranger } = await trio();
    const watcher = await openPresence(server, client);
    const strangerWatch = await openPresence(server, stranger);
    const chat = await openChat(server, consultation.id, numerologist);
    expect(await watcher.socket.next()).toEqual({
      type: 'user_online',
      user_id: numerologist.id,
      user_name: numerologist.name,
    });
    const second = await goOnline(numerologist);
    const third = (await openPresence(server, numerologist)).socket;
    await watcher.socket.expectSilence();
    // The numerologist's own presence socket shows the client in its snapshot; the client is online.
    expect(third.all('presence_state')[0].users).toEqual([{ user_id: client.id, user_name: client.name }]);
    expect(strangerWatch.socket.all('user_online')).toEqual([]);
    await closeAll(watcher.socket, strangerWatch.socket, chat, second, third);
  });

  it('a refused connection does not make anyone online', async () => {
    const { client, numerologist, stranger } = await trio();
    const strangersConsultation = await createConsultation(server, { client: stranger });
    const watcher = await openPresence(server, client);
    // Authenticated, but not a participant: refused with 4403, so never held.
    await expectRefused(
      chatUrl(server, strangersConsultation.consultation.id),
      { token: numerologist.token },
      4403,
      'forbidden',
    );
    await graceMarker(watcher.socket, client);
    expect((await lookup(client, `?user_ids=${numerologist.id}`)).body).toEqual({
      users: [{ user_id: numerologist.id, online: false, last_seen: null }],
    });
    await watcher.socket.close();
  });

  it('a contact coming online while one connects: presence_state still comes first, and the view ends right', async () => {
    for (let round = 0; round < 3; round++) {
      const { client, numerologist } = await trio();
      const watching = openPresence(server, client);
      const arriving = goOnline(numerologist);
      const [watcher, contact] = await Promise.all([watching, arriving]);
      const socket = watcher.socket;
      const view = () => viewOf(watcher);
      await waitFor('the contact in the view', () => view().includes(numerologist.id));
      // Then a marker: whatever else was on its way to this socket comes before its answer.
      await socket.expectSilence('user_offline');
      expect(view()).toEqual([numerologist.id]);
      await closeAll(socket, contact);
    }
  });

  it('user_online the other way round too: both sides are each other’s contacts', async () => {
    const { client, numerologist } = await trio();
    const watcher = await openPresence(server, numerologist);
    const { socket } = await openPresence(server, client);
    expect(await watcher.socket.next()).toEqual({ type: 'user_online', user_id: client.id, user_name: client.name });
    await closeAll(watcher.socket, socket);
  });

  it('user_offline (with last_seen) only after the last connection has been closed for the grace period', async () => {
    const { client, numerologist, stranger } = await trio();
    const watcher = await openPresence(server, client);
    const strangerWatch = await openPresence(server, stranger);
    const n1 = await goOnline(numerologist);
    const n2 = await goOnline(numerologist);
    await watcher.socket.next('user_online');
    await n1.close();
    await graceMarker(watcher.socket, client); // one connection still open: no user_offline
    const beforeClose = Date.now();
    await n2.close();
    const offline = await watcher.socket.next('user_offline', GRACE_MS * 10);
    const arrived = Date.now();
    expect(offline).toEqual({ type: 'user_offline', user_id: numerologist.id, last_seen: expect.stringMatching(ISO) });
    // Only bounds a slow machine cannot break: last_seen is the moment the last connection closed
    // (after we started closing it, before the frame came), and the frame waited the grace after it.
    const lastSeen = Date.parse(offline.last_seen!);
    expect(lastSeen).toBeGreaterThanOrEqual(beforeClose);
    expect(lastSeen).toBeLessThanOrEqual(arrived);
    expect(arrived - lastSeen).toBeGreaterThanOrEqual(GRACE_MS - 50);
    await watcher.socket.expectSilence();
    expect(strangerWatch.socket.all('user_offline')).toEqual([]);
    expect(strangerWatch.socket.all('user_online')).toEqual([]);

    // REST agrees, with the same last_seen.
    const res = await lookup(client, `?user_ids=${numerologist.id}`);
    expect(res.body).toEqual({ users: [{ user_id: numerologist.id, online: false, last_seen: offline.last_seen }] });

    // Coming back is a fresh user_online.
    const back = await goOnline(numerologist);
    expect(await watcher.socket.next()).toEqual({
      type: 'user_online',
      user_id: numerologist.id,
      user_name: numerologist.name,
    });
    await closeAll(watcher.socket, strangerWatch.socket, back);
  });

  it('a quick reconnect (a page reload) does not flap: neither user_offline nor a second user_online', async () => {
    const { client, numerologist } = await trio();
    const watcher = await openPresence(server, client);
    let socket: TestSocket = await goOnline(numerologist);
    await watcher.socket.next('user_online');
    // Each reload closes and opens again at once, well within the grace period.
    for (let i = 0; i < 3; i++) {
      await socket.close();
      socket = (await openPresence(server, numerologist)).socket;
    }
    await graceMarker(watcher.socket, client);
    await closeAll(watcher.socket, socket);
  });

  describe('contacts are open consultations only (issue 17)', () => {
    const end = (user: TestUser, id: string, status: 'completed' | 'cancelled') =>
      http(server.httpUrl, 'PATCH', `/api/consultations/${id}`, { token: user.token, body: { status } });

    it('a completed or cancelled consultation makes no contact: no snapshot, no user_online/offline, nothing on REST', async () => {
      const client = await createUser(server);
      const cancelled = await createConsultation(server, { client, status: 'cancelled' });
      const completed = await createConsultation(server, { client, status: 'completed' });
      const marker = await contactPair({ client });
      const formers = [cancelled.numerologist, completed.numerologist];
      const online = [await goOnline(formers[0])];
      const { socket, users } = await openPresence(server, client);
      expect(users).toEqual([]);
      online.push(await goOnline(formers[1]));
      await online[0].close();
      online.push(await goOnline(marker.numerologist));
      // The marker's user_online is the first thing the client hears: nothing about the former contacts before it.
      expect(await socket.next()).toEqual({
        type: 'user_online',
        user_id: marker.numerologist.id,
        user_name: marker.numerologist.name,
      });
      const asked = await lookup(client, `?user_ids=${formers.map((u) => u.id).join(',')}`);
      expect(asked.body).toEqual({ users: [] });
      expect((await lookup(formers[0])).body).toEqual({ users: [] });
      await closeAll(socket, ...online);
    });

    it('a contact that ends gets one user_offline (no last_seen) and nothing after', async () => {
      const { consultation, client, numerologist } = await contactPair();
      // Someone who stays the numerologist's contact, to see when the numerologist's later comings and goings happened.
      const loyal = await contactPair({ numerologist });
      const marker = await contactPair({ client });
      const clientView = await openPresence(server, client);
      const loyalView = await openPresence(server, loyal.client);
      let numerologistSocket = await goOnline(numerologist);
      expect((await clientView.socket.next()).type).toBe('user_online');
      expect((await loyalView.socket.next()).type).toBe('user_online');
      const numerologistView = await openPresence(server, numerologist);
      expect(numerologistView.users.map((u) => u.user_id)).toContain(client.id);

      expect((await end(numerologist, consultation.id, 'cancelled')).status).toBe(200);
      expect(await clientView.socket.next()).toEqual({ type: 'user_offline', user_id: numerologist.id });
      expect(await numerologistView.socket.next()).toEqual({ type: 'user_offline', user_id: client.id });

      // The numerologist leaves and comes back: the loyal contact hears both, the former one neither.
      await closeAll(numerologistSocket, numerologistView.socket);
      expect(await loyalView.socket.next('user_offline', GRACE_MS + 5000)).toMatchObject({ user_id: numerologist.id });
      numerologistSocket = await goOnline(numerologist);
      expect(await loyalView.socket.next('user_online')).toMatchObject({ user_id: numerologist.id });
      const markerSocket = await goOnline(marker.numerologist);
      expect(await clientView.socket.next()).toEqual({
        type: 'user_online',
        user_id: marker.numerologist.id,
        user_name: marker.numerologist.name,
      });
      expect((await lookup(client, `?user_ids=${numerologist.id}`)).body).toEqual({ users: [] });
      await closeAll(clientView.socket, loyalView.socket, numerologistSocket, markerSocket);
    });

    it('completing the pair’s open consultation ends the contact; a new one makes them contacts again', async () => {
      const { consultation, client, numerologist } = await createConsultation(server, { status: 'active' });
      const watcher = await openPresence(server, client);
      const online = await goOnline(numerologist);
      expect((await watcher.socket.next()).type).toBe('user_online');
      expect((await end(numerologist, consultation.id, 'completed')).status).toBe(200);
      expect(await watcher.socket.next()).toEqual({ type: 'user_offline', user_id: numerologist.id });
      // A new one, once accepted, makes them contacts again: the numerologist is seen online at once.
      const again = await contactPair({ client, numerologist });
      expect(again.consultation.id).not.toBe(consultation.id);
      expect((await lookup(client, `?user_ids=${numerologist.id}`)).body).toEqual({
        users: [{ user_id: numerologist.id, online: true, last_seen: null }],
      });
      await closeAll(watcher.socket, online);
    });
  });

  describe('consent: only a consultation the numerologist accepted (active) makes contacts (issue 23)', () => {
    it('a booking (scheduled) shows neither side to the other; accepting it shows both at once, on sockets and REST', async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const numerologistOnline = await goOnline(numerologist);
      const clientView = await openPresence(server, client);
      const numerologistView = await openPresence(server, numerologist);
      expect(clientView.users).toEqual([]);
      expect(numerologistView.users).toEqual([]);
      expect((await lookup(client, `?user_ids=${numerologist.id}`)).body).toEqual({ users: [] });
      expect((await lookup(numerologist, `?user_ids=${client.id}`)).body).toEqual({ users: [] });

      const accepted = await http(server.httpUrl, 'PATCH', `/api/consultations/${consultation.id}`, {
        token: numerologist.token,
        body: { status: 'active' },
      });
      expect(accepted.status).toBe(200);
      // The first thing either side hears: the other, online (nothing came about them before).
      expect(await clientView.socket.next()).toEqual({
        type: 'user_online',
        user_id: numerologist.id,
        user_name: numerologist.name,
      });
      expect(await numerologistView.socket.next()).toEqual({
        type: 'user_online',
        user_id: client.id,
        user_name: client.name,
      });
      expect((await lookup(client, `?user_ids=${numerologist.id}`)).body).toEqual({
        users: [{ user_id: numerologist.id, online: true, last_seen: null }],
      });
      await closeAll(clientView.socket, numerologistView.socket, numerologistOnline);
    });
  });

  describe('a viewer connecting while a contact reloads (inside the grace period) — issue 23', () => {
    // Long enough that a slow machine still connects the viewer inside it.
    const RELOAD_GRACE_MS = 3000;
    let slow: TestServer;
    beforeAll(async () => {
      slow = await startTestServer({ PRESENCE_GRACE_MS: String(RELOAD_GRACE_MS) });
    });
    afterAll(() => slow.close());

    /** The contact's last socket closes, then the viewer connects: its snapshot shows the contact online, as REST does. */
    async function viewerDuringReload() {
      const { client, numerologist } = await contactPair({}, slow);
      const before = await goOnline(numerologist, slow);
      await before.close();
      const watcher = await openPresence(slow, client);
      expect(watcher.users).toEqual([{ user_id: numerologist.id, user_name: numerologist.name }]);
      expect((await lookup(client, `?user_ids=${numerologist.id}`, slow)).body).toEqual({
        users: [{ user_id: numerologist.id, online: true, last_seen: null }],
      });
      return { client, numerologist, watcher };
    }

    it('the contact comes back: the viewer shows it online, hears no flap, and matches GET /api/presence', async () => {
      const { client, numerologist, watcher } = await viewerDuringReload();
      const back = await goOnline(numerologist, slow);
      // Nothing about the contact, not even once the grace period is over: the marker's frames come first.
      await graceMarker(watcher.socket, client, slow, RELOAD_GRACE_MS);
      expect(viewOf(watcher)).toEqual([numerologist.id]);
      expect((await lookup(client, `?user_ids=${numerologist.id}`, slow)).body).toEqual({
        users: [{ user_id: numerologist.id, online: true, last_seen: null }],
      });
      await closeAll(watcher.socket, back);
    });

    it('the contact does not come back: user_offline follows the online it was shown, and REST agrees', async () => {
      const { client, numerologist, watcher } = await viewerDuringReload();
      const offline = await watcher.socket.next(undefined, RELOAD_GRACE_MS * 10);
      expect(offline).toEqual({
        type: 'user_offline',
        user_id: numerologist.id,
        last_seen: expect.stringMatching(ISO),
      });
      expect(viewOf(watcher)).toEqual([]);
      expect((await lookup(client, `?user_ids=${numerologist.id}`, slow)).body).toEqual({
        users: [{ user_id: numerologist.id, online: false, last_seen: (offline as { last_seen: string }).last_seen }],
      });
      await watcher.socket.close();
    });
  });

  it('no user_offline about a contact the viewer was never shown online (a contact that ends while away)', async () => {
    const { consultation, client, numerologist } = await contactPair();
    const watcher = await openPresence(server, client);
    expect(watcher.users).toEqual([]);
    const cancelled = await http(server.httpUrl, 'PATCH', `/api/consultations/${consultation.id}`, {
      token: client.token,
      body: { status: 'cancelled' },
    });
    expect(cancelled.status).toBe(200);
    // The marker's user_online is the first frame: no user_offline about the numerologist came before it.
    await graceMarker(watcher.socket, client);
    expect((await lookup(client, `?user_ids=${numerologist.id}`)).body).toEqual({ users: [] });
    await watcher.socket.close();
  });

  describe('GET /api/presence', () => {
    it('contacts only: online flag and last_seen; strangers are left out even when asked for by id', async () => {
      const { client, numerologist, stranger } = await trio();
      const second = await contactPair({ client });
      const online = await goOnline(numerologist);
      await goOnline(stranger);

      const all = await lookup(client);
      expect(all.status).toBe(200);
      expect(
        [...all.body.users].sort((a: { user_id: string }, b: { user_id: string }) =>
          a.user_id.localeCompare(b.user_id),
        ),
      ).toEqual(
        [
          { user_id: numerologist.id, online: true, last_seen: null },
          { user_id: second.numerologist.id, online: false, last_seen: null },
        ].sort((a, b) => a.user_id.localeCompare(b.user_id)),
      );
      const asked = await lookup(client, `?user_ids=${numerologist.id},${stranger.id}`);
      expect(asked.body).toEqual({ users: [{ user_id: numerologist.id, online: true, last_seen: null }] });
      const byStranger = await lookup(stranger, `?user_ids=${numerologist.id},${client.id}`);
      expect(byStranger.body).toEqual({ users: [] });
      expectError(await lookup(client, '?user_ids=not-a-uuid'), 400, 'user_ids');
      expectError(await http(server.httpUrl, 'GET', '/api/presence'), 401);
      await online.close();
    });
  });
});
