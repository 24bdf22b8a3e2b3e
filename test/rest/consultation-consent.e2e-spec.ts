import { DataSource } from 'typeorm';
import { newId } from '@numerai/database';
import { ConsultationEntity } from '@numerai/consultations';
import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE, expectConsultation, expectError, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';

noteSkippedPostgres('rest: consultation consent');

/**
 * Issue 17, "Consent and contacts": one open consultation per client–numerologist pair
 * (409 naming it), a cap on a client's open ones, paged lists, and status changes that
 * are conditional — each checked under real concurrency against the real database.
 */
describe(`REST consultations: consent and races (${ENGINE})`, () => {
  let server: TestServer;
  const create = (user: TestUser, numerologist: TestUser) =>
    http(server.httpUrl, 'POST', '/api/consultations', {
      token: user.token,
      body: { numerologist_id: numerologist.id },
    });
  const patch = (user: TestUser, id: string, status: string) =>
    http(server.httpUrl, 'PATCH', `/api/consultations/${id}`, { token: user.token, body: { status } });

  beforeAll(async () => {
    server = await startTestServer({ MAX_OPEN_CONSULTATIONS: '3', RATE_LIMIT_PER_MINUTE: '100000' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a second POST for the same pair is 409 naming the open one; once it ends, a new one may open', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    expectError(await create(client, numerologist), 409, consultation.id);
    await patch(numerologist, consultation.id, 'active');
    expectError(await create(client, numerologist), 409, consultation.id);

    expect((await patch(client, consultation.id, 'cancelled')).status).toBe(200);
    const again = await create(client, numerologist);
    expect(again.status).toBe(201);
    expectConsultation(again.body, { status: 'scheduled', user_id: client.id, numerologist_id: numerologist.id });
  });

  it('a client holds at most MAX_OPEN_CONSULTATIONS open ones (409 saying so); ending one frees a place', async () => {
    const client = await createUser(server);
    const numerologists = await Promise.all(
      Array.from({ length: 4 }, () => createUser(server, { role: 'numerologist' })),
    );
    const opened = [];
    for (const numerologist of numerologists.slice(0, 3)) {
      const res = await create(client, numerologist);
      expect(res.status).toBe(201);
      opened.push(res.body as { id: string });
    }
    expectError(await create(client, numerologists[3]), 409, /at most 3 open consultations/i);
    expect((await patch(numerologists[0], opened[0].id, 'completed')).status).toBe(200);
    expect((await create(client, numerologists[3])).status).toBe(201);
  });

  it('racing POSTs for one pair: exactly one 201, the other 409 naming it (20 tries)', async () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const client = await createUser(server);
      const numerologist = await createUser(server, { role: 'numerologist' });
      const answers = await Promise.all([create(client, numerologist), create(client, numerologist)]);
      const statuses = answers.map((res) => res.status).sort();
      expect({ attempt, statuses }).toEqual({ attempt, statuses: [201, 409] });
      const winner = answers.find((res) => res.status === 201)!;
      expectError(
        answers.find((res) => res.status === 409)!,
        409,
        winner.body.id,
      );
    }
  });

  it('racing POSTs of one client to many numerologists never pass the cap', async () => {
    const client = await createUser(server);
    const numerologists = await Promise.all(
      Array.from({ length: 8 }, () => createUser(server, { role: 'numerologist' })),
    );
    const answers = await Promise.all(numerologists.map((numerologist) => create(client, numerologist)));
    expect(answers.filter((res) => res.status === 201)).toHaveLength(3);
    expect(answers.filter((res) => res.status === 409)).toHaveLength(5);
  });

  it('racing completed and cancelled: exactly one 200, the other 409, and the stored status is the winner’s (30 tries)', async () => {
    for (let attempt = 0; attempt < 30; attempt++) {
      const { consultation, client, numerologist } = await createConsultation(server, { status: 'active' });
      const [completed, cancelled] = await Promise.all([
        patch(numerologist, consultation.id, 'completed'),
        patch(client, consultation.id, 'cancelled'),
      ]);
      const statuses = [completed.status, cancelled.status].sort();
      expect({ attempt, statuses }).toEqual({ attempt, statuses: [200, 409] });
      const winner = completed.status === 200 ? 'completed' : 'cancelled';
      const stored = await http(server.httpUrl, 'GET', `/api/consultations/${consultation.id}`, {
        token: client.token,
      });
      expect(stored.body.status).toBe(winner);
    }
  });

  it('GET /api/consultations pages newest first: a numerologist with 2,800 consultations gets bounded pages that cover them all once', async () => {
    const numerologist = await createUser(server, { role: 'numerologist' });
    const clients = await Promise.all(Array.from({ length: 10 }, () => createUser(server)));
    // Ended ones straight into the database: what 10 accounts could pile up over time through REST.
    const rows = Array.from({ length: 2800 }, (_, i) => ({
      id: newId(),
      userId: clients[i % clients.length].id,
      numerologistId: numerologist.id,
      status: 'completed' as const,
      scheduledAt: null,
      createdAt: new Date(),
    }));
    const repository = server.app.get(DataSource).getRepository(ConsultationEntity);
    for (let i = 0; i < rows.length; i += 200) await repository.insert(rows.slice(i, i + 200));

    const first = await http(server.httpUrl, 'GET', '/api/consultations', { token: numerologist.token });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(50);
    expect(first.body.next_before).toBe(first.body.items[49].id);
    expect(first.headers.get('content-length') === null || Number(first.headers.get('content-length')) < 20_000).toBe(
      true,
    );

    const seen: string[] = [];
    let before: string | null = null;
    do {
      const page: { status: number; body: { items: { id: string }[]; next_before: string | null } } = await http(
        server.httpUrl,
        'GET',
        `/api/consultations?limit=100${before ? `&before=${before}` : ''}`,
        { token: numerologist.token },
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(100);
      seen.push(...page.body.items.map((item) => item.id));
      before = page.body.next_before;
    } while (before);
    expect(seen).toEqual(rows.map((row) => row.id).reverse());

    const client = clients[0];
    const theirs = await http(server.httpUrl, 'GET', '/api/consultations?limit=100', { token: client.token });
    expect(theirs.body.items).toHaveLength(100);
    expectError(
      await http(server.httpUrl, 'GET', '/api/consultations?limit=101', { token: client.token }),
      400,
      'limit',
    );
  });
});
