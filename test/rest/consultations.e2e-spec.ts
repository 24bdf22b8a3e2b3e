import { randomUUID } from 'node:crypto';
import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE, expectConsultation, expectError, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { closeAll, openChat, say } from '../ws/helpers';

noteSkippedPostgres('rest: consultations');

describe(`REST consultations (${ENGINE})`, () => {
  let server: TestServer;
  const create = (user: TestUser | undefined, body: unknown) =>
    http(server.httpUrl, 'POST', '/api/consultations', { token: user?.token, body });
  const list = (user: TestUser | undefined, query = '') =>
    http(server.httpUrl, 'GET', `/api/consultations${query}`, { token: user?.token });
  const get = (user: TestUser | undefined, id: string) =>
    http(server.httpUrl, 'GET', `/api/consultations/${id}`, { token: user?.token });
  const patch = (user: TestUser | undefined, id: string, body: unknown) =>
    http(server.httpUrl, 'PATCH', `/api/consultations/${id}`, { token: user?.token, body });

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('POST /api/consultations', () => {
    it('201: a new consultation is scheduled, with the caller as the client', async () => {
      const client = await createUser(server);
      const numerologist = await createUser(server, { role: 'numerologist' });
      const before = Date.now();
      const res = await create(client, { numerologist_id: numerologist.id });
      expect(res.status).toBe(201);
      expectConsultation(res.body, {
        user_id: client.id,
        numerologist_id: numerologist.id,
        status: 'scheduled',
        scheduled_at: null,
      });
      const createdAt = Date.parse(res.body.created_at);
      expect(createdAt).toBeGreaterThanOrEqual(before - 1000);
      expect(createdAt).toBeLessThanOrEqual(Date.now() + 1000);
    });

    it('keeps scheduled_at, answered as UTC ISO-8601 with milliseconds', async () => {
      const client = await createUser(server);
      const numerologist = await createUser(server, { role: 'numerologist' });
      const res = await create(client, { numerologist_id: numerologist.id, scheduled_at: '2031-02-03T04:05:06+02:00' });
      expect(res.status).toBe(201);
      expectConsultation(res.body, { scheduled_at: '2031-02-03T02:05:06.000Z' });
      // …and it reads back the same (no time-zone drift through the database).
      expect((await get(client, res.body.id)).body).toEqual({ ...res.body, unread_count: 0 });
    });

    it('404 when numerologist_id is a user who is not a numerologist', async () => {
      const client = await createUser(server);
      const otherClient = await createUser(server);
      expectError(await create(client, { numerologist_id: otherClient.id }), 404);
    });

    it('404 when numerologist_id is nobody', async () => {
      const client = await createUser(server);
      expectError(await create(client, { numerologist_id: randomUUID() }), 404);
    });

    it('404 when a numerologist books themselves', async () => {
      const numerologist = await createUser(server, { role: 'numerologist' });
      expectError(await create(numerologist, { numerologist_id: numerologist.id }), 404);
    });

    it.each([
      ['a missing numerologist_id', { numerologist_id: undefined }, 'numerologist_id'],
      ['a numerologist_id that is not a UUID', { numerologist_id: 'bob' }, 'numerologist_id'],
      ['a scheduled_at that is not a date', { scheduled_at: 'tomorrow' }, 'scheduled_at'],
      ['an unknown property', { status: 'active' }, 'status'],
    ])('400 naming the field for %s', async (_case, body, field) => {
      const client = await createUser(server);
      const numerologist = await createUser(server, { role: 'numerologist' });
      expectError(await create(client, { numerologist_id: numerologist.id, ...body }), 400, field);
    });

    it('401 without a valid token', async () => {
      const numerologist = await createUser(server, { role: 'numerologist' });
      expectError(await create(undefined, { numerologist_id: numerologist.id }), 401);
    });
  });

  describe('GET /api/consultations/:id', () => {
    it('200 for both participants', async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      for (const participant of [client, numerologist]) {
        const res = await get(participant, consultation.id);
        expect(res.status).toBe(200);
        expectConsultation(res.body, {
          id: consultation.id,
          user_id: client.id,
          numerologist_id: numerologist.id,
          // The client booked it: the booking's system message is theirs, unread by the numerologist.
          unread_count: participant === numerologist ? 1 : 0,
        });
        expect(res.body).toEqual({ ...consultation, unread_count: res.body.unread_count });
      }
    });

    it("carries the caller's unread_count, the same as their list item's, and follows their read marker", async () => {
      const { consultation, client, numerologist } = await createConsultation(server, { status: 'active' });
      const clientChat = await openChat(server, consultation.id, client);
      const numerologistChat = await openChat(server, consultation.id, numerologist);
      await say(clientChat, 'first');
      const last = await say(clientChat, 'second');
      const unread = async (user: TestUser) => {
        const [one, all] = await Promise.all([get(user, consultation.id), list(user)]);
        expect(all.body.items.find((item: { id: string }) => item.id === consultation.id)).toEqual(one.body);
        return one.body.unread_count;
      };
      // booked (the client's) and the two messages; the numerologist's own "started" never counts for them.
      expect(await unread(numerologist)).toBe(3);
      expect(await unread(client)).toBe(1);

      numerologistChat.send({ type: 'read_receipt', message_id: last.id });
      await clientChat.next('read_receipt');
      expect(await unread(numerologist)).toBe(0);
      expect(await unread(client)).toBe(1);
      await closeAll(clientChat, numerologistChat);
    });

    it("404 for someone else's consultation, the same as for one that does not exist", async () => {
      const { consultation } = await createConsultation(server);
      const outsider = await createUser(server);
      const otherNumerologist = await createUser(server, { role: 'numerologist' });
      const notYours = await get(outsider, consultation.id);
      expectError(notYours, 404);
      expectError(await get(otherNumerologist, consultation.id), 404);
      const missing = await get(outsider, randomUUID());
      expectError(missing, 404);
      expect(missing.body).toEqual(notYours.body);
    });

    it('400 naming id when it is not a UUID', async () => {
      const user = await createUser(server);
      expectError(await get(user, 'not-a-uuid'), 400, /\bid\b/);
    });

    it('401 without a token', async () => {
      expectError(await get(undefined, randomUUID()), 401);
    });
  });

  describe('GET /api/consultations', () => {
    it('200 {items}: those the caller takes part in, as client or numerologist, newest first', async () => {
      const client = await createUser(server);
      const numerologist = await createUser(server, { role: 'numerologist' });
      const first = await createConsultation(server, { client, numerologist });
      const second = await createConsultation(server, { client });
      const third = await createConsultation(server, { numerologist });
      // Someone else's, which nobody above may see.
      await createConsultation(server);

      const mine = await list(client);
      expect(mine.status).toBe(200);
      expect(Object.keys(mine.body)).toEqual(['items', 'next_before']);
      expect(mine.body.items.map((c: { id: string }) => c.id)).toEqual([second.consultation.id, first.consultation.id]);
      for (const item of mine.body.items) expectConsultation(item, { user_id: client.id, unread_count: 0 });

      const theirs = await list(numerologist);
      expect(theirs.body.items.map((c: { id: string }) => c.id)).toEqual([
        third.consultation.id,
        first.consultation.id,
      ]);

      const outsider = await createUser(server);
      expect((await list(outsider)).body).toEqual({ items: [], next_before: null });
    });

    it('?status= filters', async () => {
      const client = await createUser(server);
      const numerologist = await createUser(server, { role: 'numerologist' });
      const other = await createUser(server, { role: 'numerologist' });
      // One open consultation per pair: the ended ones first, then one open with each numerologist.
      const completed = await createConsultation(server, { client, numerologist, status: 'completed' });
      const cancelled = await createConsultation(server, { client, numerologist, status: 'cancelled' });
      const active = await createConsultation(server, { client, numerologist, status: 'active' });
      const scheduled = await createConsultation(server, { client, numerologist: other });
      const expected = {
        scheduled: [scheduled.consultation.id, other],
        active: [active.consultation.id, numerologist],
        completed: [completed.consultation.id, numerologist],
        cancelled: [cancelled.consultation.id, numerologist],
      } as const;
      for (const [status, [id, theirNumerologist]] of Object.entries(expected)) {
        for (const participant of [client, theirNumerologist]) {
          const res = await list(participant, `?status=${status}`);
          expect(res.status).toBe(200);
          expect(res.body.items).toHaveLength(1);
          // Whose unread system messages (the lifecycle steps of the other participant) depends on who acted.
          expectConsultation(res.body.items[0], { id, status, unread_count: expect.any(Number) });
        }
      }
      expect((await list(client)).body.items).toHaveLength(4);
    });

    it('400 naming status for an unknown status', async () => {
      const user = await createUser(server);
      expectError(await list(user, '?status=ongoing'), 400, 'status');
    });

    it('400 naming an unknown query parameter', async () => {
      const user = await createUser(server);
      expectError(await list(user, '?owner=me'), 400, 'owner');
    });

    it('401 without a token', async () => {
      expectError(await list(undefined), 401);
    });
  });

  describe('PATCH /api/consultations/:id', () => {
    it('the numerologist starts (active) and then completes it', async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const started = await patch(numerologist, consultation.id, { status: 'active' });
      expect(started.status).toBe(200);
      expectConsultation(started.body, { ...consultation, status: 'active' });
      const completed = await patch(numerologist, consultation.id, { status: 'completed' });
      expect(completed.status).toBe(200);
      expectConsultation(completed.body, { ...consultation, status: 'completed' });
      expect((await get(client, consultation.id)).body.status).toBe('completed');
    });

    it('the numerologist may complete a scheduled one directly', async () => {
      const { consultation, numerologist } = await createConsultation(server);
      expect((await patch(numerologist, consultation.id, { status: 'completed' })).body.status).toBe('completed');
    });

    it.each(['active', 'completed'])('403 when the client tries to mark it %s', async (status) => {
      const { consultation, client, numerologist } = await createConsultation(server);
      expectError(await patch(client, consultation.id, { status }), 403);
      expect((await get(numerologist, consultation.id)).body.status).toBe('scheduled');
    });

    it('403 when the client tries to complete an active one', async () => {
      const { consultation, client } = await createConsultation(server, { status: 'active' });
      expectError(await patch(client, consultation.id, { status: 'completed' }), 403);
    });

    it.each([
      ['the client', 'scheduled'],
      ['the client', 'active'],
      ['the numerologist', 'scheduled'],
      ['the numerologist', 'active'],
    ] as const)('%s may cancel a %s consultation', async (who, from) => {
      const setup = await createConsultation(server, from === 'active' ? { status: 'active' } : {});
      const actor = who === 'the client' ? setup.client : setup.numerologist;
      const res = await patch(actor, setup.consultation.id, { status: 'cancelled' });
      expect(res.status).toBe(200);
      expectConsultation(res.body, { id: setup.consultation.id, status: 'cancelled' });
    });

    it('409: a completed consultation cannot become active again', async () => {
      const { consultation, numerologist } = await createConsultation(server, { status: 'completed' });
      expectError(await patch(numerologist, consultation.id, { status: 'active' }), 409);
      expect((await get(numerologist, consultation.id)).body.status).toBe('completed');
    });

    it('409: completed and cancelled are final', async () => {
      const completed = await createConsultation(server, { status: 'completed' });
      expectError(await patch(completed.client, completed.consultation.id, { status: 'cancelled' }), 409);
      const cancelled = await createConsultation(server, { status: 'cancelled' });
      expectError(await patch(cancelled.numerologist, cancelled.consultation.id, { status: 'active' }), 409);
      expectError(await patch(cancelled.numerologist, cancelled.consultation.id, { status: 'completed' }), 409);
    });

    it('409: an active consultation cannot go back to scheduled', async () => {
      const { consultation, numerologist } = await createConsultation(server, { status: 'active' });
      expectError(await patch(numerologist, consultation.id, { status: 'scheduled' }), 409);
    });

    it('asking for the status it already has is a harmless 200', async () => {
      const { consultation, numerologist } = await createConsultation(server, { status: 'active' });
      const res = await patch(numerologist, consultation.id, { status: 'active' });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('active');
    });

    it("404 for someone else's consultation (and it is left unchanged)", async () => {
      const { consultation, client } = await createConsultation(server);
      const outsider = await createUser(server);
      const otherNumerologist = await createUser(server, { role: 'numerologist' });
      expectError(await patch(outsider, consultation.id, { status: 'cancelled' }), 404);
      expectError(await patch(otherNumerologist, consultation.id, { status: 'active' }), 404);
      expectError(await patch(outsider, randomUUID(), { status: 'cancelled' }), 404);
      expect((await get(client, consultation.id)).body.status).toBe('scheduled');
    });

    it.each([
      ['an invalid status', { status: 'finished' }, 'status'],
      ['a missing status', {}, 'status'],
      ['an unknown property', { status: 'cancelled', numerologist_id: randomUUID() }, 'numerologist_id'],
    ])('400 naming the field for %s', async (_case, body, field) => {
      const { consultation, numerologist } = await createConsultation(server);
      expectError(await patch(numerologist, consultation.id, body), 400, field);
    });

    it('400 naming id when it is not a UUID', async () => {
      const user = await createUser(server);
      expectError(await patch(user, '12345', { status: 'cancelled' }), 400, /\bid\b/);
    });

    it('401 without a token', async () => {
      const { consultation } = await createConsultation(server);
      expectError(await patch(undefined, consultation.id, { status: 'cancelled' }), 401);
    });
  });
});
