import type { ServerFrame } from '@numerai/protocol';
import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import type { TestSocket } from '../support/ws-client';
import { closeAll, openNotifications, openPresence } from '../ws/helpers';
import { FULL_TIER, ReliabilityRecorder } from './support/recorder';

/**
 * Issue 23, "Presence without consent": a client books numerologists to watch their presence,
 * books and cancels in a loop, and once blocked tries again. Only the numerologist's
 * acceptance (an active consultation) makes a contact; a block ends booking, presence and
 * notifications from that client.
 */
const recorder = new ReliabilityRecorder('presence-consent');
const AREA = 'Presence and consent';
const TARGETS = FULL_TIER ? 10 : 4;
const ROUNDS = FULL_TIER ? 30 : 8;

describe(`hostile: presence and consent (${ENGINE})`, () => {
  let server: TestServer;
  const book = (client: TestUser, numerologist: TestUser) =>
    http(server.httpUrl, 'POST', '/api/consultations', {
      token: client.token,
      body: { numerologist_id: numerologist.id },
    });
  const patch = (user: TestUser, id: string, status: string) =>
    http(server.httpUrl, 'PATCH', `/api/consultations/${id}`, { token: user.token, body: { status } });
  const lookup = async (viewer: TestUser, subjects: TestUser[]) =>
    (
      await http(server.httpUrl, 'GET', `/api/presence?user_ids=${subjects.map((s) => s.id).join(',')}`, {
        token: viewer.token,
      })
    ).body.users as { user_id: string }[];
  /** Frames on a presence socket about any of `subjects`, after the first two (established, snapshot). */
  const about = (socket: TestSocket, subjects: TestUser[]) =>
    socket.frames
      .slice(2)
      .filter((f: ServerFrame) => 'user_id' in f && subjects.some((s) => s.id === (f as { user_id: string }).user_id));

  /**
   * A contact of `viewer` (a numerologist who accepted them) comes online: its user_online is
   * the marker — whatever about others was on its way to the viewer's socket came before it.
   */
  async function marker(viewer: TestUser, socket: TestSocket): Promise<TestSocket> {
    const { numerologist } = await createConsultation(server, { client: viewer, status: 'active' });
    const online = (await openNotifications(server, numerologist)).socket;
    const frame = await socket.next('user_online');
    expect(frame.user_id).toBe(numerologist.id);
    return online;
  }

  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    recorder.write();
    await server?.close();
  });

  it(`booking ${TARGETS} numerologists to watch them: no snapshot, no events, nothing on REST`, async () => {
    const watcher = await createUser(server);
    const targets = await Promise.all(
      Array.from({ length: TARGETS }, () => createUser(server, { role: 'numerologist' })),
    );
    const booked = await Promise.all(targets.map((target) => book(watcher, target)));
    const onlineBefore = await Promise.all(targets.map(async (t) => (await openNotifications(server, t)).socket));
    const view = await openPresence(server, watcher);
    // They come and go while the watcher watches.
    await closeAll(...onlineBefore.slice(0, TARGETS / 2));
    const onlineAfter = await Promise.all(
      targets.slice(0, TARGETS / 2).map(async (t) => (await openPresence(server, t)).socket),
    );
    const markerSocket = await marker(watcher, view.socket);
    const rest = await lookup(watcher, targets);
    const heard = about(view.socket, targets);
    const ok =
      booked.every((r) => r.status === 201) && view.users.length === 0 && heard.length === 0 && rest.length === 0;
    recorder.record({
      area: AREA,
      attack: `a client books ${TARGETS} numerologists (scheduled, never accepted) and watches /ws/presence/ and GET /api/presence while they come and go`,
      tried: TARGETS * 3,
      expected:
        'the bookings succeed, but no contact: empty presence_state, no user_online/offline, REST leaves them out',
      seen: `${booked.filter((r) => r.status === 201).length} booked; snapshot ${view.users.length} users; ${heard.length} frames about them; REST listed ${rest.length}`,
      ok,
    });
    expect(ok).toBe(true);
    await closeAll(view.socket, markerSocket, ...onlineBefore.slice(TARGETS / 2), ...onlineAfter);
  });

  it(`book / cancel / rebook ${ROUNDS} times while the numerologist is online: never a contact`, async () => {
    const watcher = await createUser(server);
    const target = await createUser(server, { role: 'numerologist' });
    const targetOnline = (await openNotifications(server, target)).socket;
    const view = await openPresence(server, watcher);
    let created = 0;
    let listed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const res = await book(watcher, target);
      if (res.status === 201) created++;
      listed += (await lookup(watcher, [target])).length;
      // Either side cancels, as the numerologist "can only cancel".
      await patch(round % 2 ? target : watcher, res.body.id, 'cancelled');
    }
    const markerSocket = await marker(watcher, view.socket);
    const heard = about(view.socket, [target]);
    const ok = created === ROUNDS && listed === 0 && view.users.length === 0 && heard.length === 0;
    recorder.record({
      area: AREA,
      attack: `book, cancel (client or numerologist), book again — ${ROUNDS} rounds while the numerologist is online, watching presence`,
      tried: ROUNDS * 3,
      expected:
        'every booking succeeds (one open per pair), none makes a contact: no presence frame, REST never lists them',
      seen: `${created}/${ROUNDS} booked; REST listed them ${listed} times; snapshot ${view.users.length}; ${heard.length} frames about them`,
      ok,
    });
    expect(ok).toBe(true);
    await closeAll(view.socket, markerSocket, targetOnline);
  });

  it(`a blocked client tries again ${ROUNDS} times: refused, no presence, nothing reaches the numerologist`, async () => {
    const { consultation, client, numerologist } = await createConsultation(server, {
      status: 'active',
      lifecycle: true,
    });
    const view = await openPresence(server, client);
    const numerologistOnline = await openPresence(server, numerologist);
    const notes = (await openNotifications(server, numerologist)).socket;
    await view.socket.next('user_online');
    const blocked = await http(server.httpUrl, 'POST', '/api/blocks', {
      token: numerologist.token,
      body: { user_id: client.id },
    });
    const removed = await view.socket.next('user_offline');
    const cancelled = (
      await http(server.httpUrl, 'GET', `/api/consultations/${consultation.id}`, { token: client.token })
    ).body.status;
    const notesBefore = notes.all('notification').length;
    const attempts = await Promise.all(Array.from({ length: ROUNDS }, () => book(client, numerologist)));
    const refused = attempts.filter((r) => r.status === 403).length;
    // Marker: another client's booking notifies the numerologist; nothing of the blocked one came before it.
    const other = await createConsultation(server, { numerologist, lifecycle: true });
    const first = await notes.next('notification');
    const strayNotes = notes
      .all('notification')
      .slice(notesBefore)
      .filter((n) => n !== first);
    const markerSocket = await marker(client, view.socket);
    const rest = await lookup(client, [numerologist]);
    const ok =
      blocked.status === 201 &&
      removed.user_id === numerologist.id &&
      cancelled === 'cancelled' &&
      refused === ROUNDS &&
      (first.data.data as { consultation_id?: string }).consultation_id === other.consultation.id &&
      strayNotes.length === 0 &&
      rest.length === 0 &&
      about(view.socket, [numerologist]).length === 2; // the online before the block, the removal
    recorder.record({
      area: AREA,
      attack: `the numerologist blocks a client mid-consultation; the client POSTs ${ROUNDS} bookings at once and keeps watching presence`,
      tried: ROUNDS + 2,
      expected:
        'block 201; the open consultation cancelled; user_offline at once on the client’s presence socket; every booking 403; no notification from them reaches the numerologist; REST leaves the numerologist out',
      seen: `block ${blocked.status}; removal ${removed.type}; consultation ${cancelled}; ${refused}/${ROUNDS} refused; first notification after: ${first.data.notification_type} of another client; ${strayNotes.length} stray; REST listed ${rest.length}`,
      ok,
    });
    expect(ok).toBe(true);
    await closeAll(view.socket, numerologistOnline.socket, notes, markerSocket);
  });
});
