import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE, expectError, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { closeAll, ISO, notificationsOf, openNotifications, openPresence, UUID } from '../ws/helpers';

noteSkippedPostgres('rest: blocks');

/**
 * Issue 23, "Presence without consent": a numerologist blocks a client — no booking, no
 * presence, no notifications from them — through POST/GET/DELETE /api/blocks.
 */
describe(`REST blocks (${ENGINE})`, () => {
  let server: TestServer;
  const block = (numerologist: TestUser, client: TestUser | string) =>
    http(server.httpUrl, 'POST', '/api/blocks', {
      token: numerologist.token,
      body: { user_id: typeof client === 'string' ? client : client.id },
    });
  const book = (client: TestUser, numerologist: TestUser) =>
    http(server.httpUrl, 'POST', '/api/consultations', {
      token: client.token,
      body: { numerologist_id: numerologist.id },
    });
  const presenceOf = (viewer: TestUser, subject: TestUser) =>
    http(server.httpUrl, 'GET', `/api/presence?user_ids=${subject.id}`, { token: viewer.token });

  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '100000' });
  });
  afterAll(() => server?.close());

  it('blocking: the open consultation is cancelled for both, presence ends at once, booking is refused, nothing reaches the numerologist', async () => {
    const { consultation, client, numerologist } = await createConsultation(server, {
      status: 'active',
      lifecycle: true,
    });
    const clientView = await openPresence(server, client);
    const numerologistView = await openPresence(server, numerologist);
    expect(numerologistView.users.map((u) => u.user_id)).toEqual([client.id]);
    expect((await clientView.socket.next()).type).toBe('user_online');
    const numerologistNotes = (await openNotifications(server, numerologist)).socket;
    const clientNotes = (await openNotifications(server, client)).socket;

    const res = await block(numerologist, client);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID),
      user_id: client.id,
      user_name: client.name,
      created_at: expect.stringMatching(ISO),
    });

    // Presence: each side's view drops the other at once, and REST agrees.
    expect(await clientView.socket.next()).toEqual({ type: 'user_offline', user_id: numerologist.id });
    expect(await numerologistView.socket.next()).toEqual({ type: 'user_offline', user_id: client.id });
    expect((await presenceOf(client, numerologist)).body).toEqual({ users: [] });
    expect((await presenceOf(numerologist, client)).body).toEqual({ users: [] });

    // The consultation is cancelled the normal way: both read it so, the client is told.
    for (const user of [client, numerologist]) {
      const read = await http(server.httpUrl, 'GET', `/api/consultations/${consultation.id}`, { token: user.token });
      expect(read.body.status).toBe('cancelled');
    }
    const cancelled = await clientNotes.next('notification');
    expect(cancelled.data).toMatchObject({
      notification_type: 'consultation_cancelled',
      data: { consultation_id: consultation.id, status: 'cancelled' },
    });

    // The client cannot book again, nor (it has no open consultation) reach the numerologist otherwise.
    expectError(await book(client, numerologist), 403, 'does not accept bookings from you');

    // Marker: another client books the numerologist. Its notification is the first since the block.
    const before = numerologistNotes.all('notification').length;
    const other = await createConsultation(server, { numerologist, lifecycle: true });
    const next = await numerologistNotes.next('notification');
    expect(next.data.data).toMatchObject({ consultation_id: other.consultation.id });
    expect(numerologistNotes.all('notification').slice(before)).toEqual([next]);
    const fromClient = (await notificationsOf(server, numerologist)).filter(
      (n) => (n.data as { consultation_id?: string } | undefined)?.consultation_id === consultation.id,
    );
    // Only the booking and nothing after the block (the cancellation was the numerologist's own).
    expect(fromClient.map((n) => n.notification_type)).toEqual(['consultation_booked']);

    await closeAll(clientView.socket, numerologistView.socket, numerologistNotes, clientNotes);
  });

  it('idempotent, paged newest first, lifted by DELETE; only a numerologist blocks, and only a client they know', async () => {
    const numerologist = await createUser(server, { role: 'numerologist' });
    const { client: first } = await createConsultation(server, { numerologist });
    const { client: second } = await createConsultation(server, { numerologist });

    const made = await block(numerologist, first);
    expect(made.status).toBe(201);
    const again = await block(numerologist, first);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(made.body);
    const newer = (await block(numerologist, second)).body;

    const page1 = await http(server.httpUrl, 'GET', '/api/blocks?limit=1', { token: numerologist.token });
    expect(page1.body).toEqual({ items: [newer], next_before: newer.id });
    const page2 = await http(server.httpUrl, 'GET', `/api/blocks?limit=1&before=${newer.id}`, {
      token: numerologist.token,
    });
    expect(page2.body).toEqual({ items: [made.body], next_before: null });

    // Refusals: a client cannot block; a stranger (or another numerologist) is not found; the id is validated.
    expectError(await block(first, numerologist), 403, 'Only a numerologist');
    expectError(await block(numerologist, await createUser(server)), 404);
    expectError(await block(numerologist, await createUser(server, { role: 'numerologist' })), 404);
    expectError(await block(numerologist, 'not-a-uuid'), 400, 'user_id');
    expectError(
      await http(server.httpUrl, 'DELETE', '/api/blocks/not-a-uuid', { token: numerologist.token }),
      400,
      'user_id',
    );

    // The numerologist's export lists their blocks.
    const exported = await http(server.httpUrl, 'GET', '/api/users/me/export', { token: numerologist.token });
    expect(exported.body.blocks).toEqual([
      { user_id: first.id, created_at: made.body.created_at },
      { user_id: second.id, created_at: newer.created_at },
    ]);

    // Lifted (twice: idempotent): the client may book again — a booking, so still no contact.
    for (let i = 0; i < 2; i++) {
      const lifted = await http(server.httpUrl, 'DELETE', `/api/blocks/${first.id}`, { token: numerologist.token });
      expect(lifted.status).toBe(204);
    }
    expect((await book(first, numerologist)).status).toBe(201);
    expect((await presenceOf(first, numerologist)).body).toEqual({ users: [] });
    expectError(await book(second, numerologist), 403);

    // An erased account's blocks go with it.
    const erased = await http(server.httpUrl, 'DELETE', '/api/users/me', {
      token: second.token,
      body: { password: second.password },
    });
    expect(erased.status).toBe(204);
    const left = await http(server.httpUrl, 'GET', '/api/blocks', { token: numerologist.token });
    expect(left.body).toEqual({ items: [], next_before: null });
  });
});
