import { createConsultation, createUser } from '../support/factories';
import { http } from '../support/http';
import { connect } from '../support/ws-client';
import { expectServed, expectSessionEnded, meStatus, newSession } from '../ws/session-helpers';
import { Cluster, describeScaleOut, Instance, testClientsClosedAfterEach, waitFor } from './support/cluster';

/**
 * Issue 17: a session ended through one instance ends at once everywhere — REST on every
 * instance (the session is read from the shared database), and every socket of it on every
 * instance (the `session.revoked` event over Redis: one `error` frame, then 4401), even
 * when Redis was away at the moment of the revocation.
 */
describeScaleOut('scale-out: sessions end on every instance', () => {
  let cluster: Cluster;
  let A: Instance;
  let B: Instance;
  const on = testClientsClosedAfterEach();
  const post = (instance: Instance, path: string, token: string, body?: unknown) =>
    http(instance.httpUrl, 'POST', path, { token, body });

  beforeAll(async () => {
    cluster = await Cluster.start(2);
    [A, B] = cluster.instances;
  }, 120_000);

  afterAll(() => cluster?.stopAndCheck(), 60_000);

  it('logout on A: the session’s sockets on B close with one error frame and 4401, its token is 401 on B; another session on B goes on', async () => {
    const { consultation, client } = await createConsultation(A);
    const other = await newSession(A, client);
    const path = `/ws/chat/${consultation.id}/`;
    const [onB, presenceOnB, otherOnB] = [
      (await on(B).chat(client, consultation.id)).socket,
      (await on(B).presence(client)).socket,
      (await on(B).chat(other, consultation.id)).socket,
    ];

    const started = performance.now();
    expect((await post(A, '/api/auth/logout', client.token)).status).toBe(204);
    // REST reads the shared database: no wait for any event.
    expect(await meStatus(B, client.token)).toBe(401);
    await expectSessionEnded(onB);
    process.stdout.write(
      `sessions: logout on A → socket on B closed 4401 ${Math.round(performance.now() - started)} ms after the request\n`,
    );
    await expectSessionEnded(presenceOnB);
    await expectServed(otherOnB);
    expect(await meStatus(B, other.token)).toBe(200);
    // Connecting anew with the ended session is refused on both instances.
    for (const instance of [A, B]) {
      const again = await connect(`${instance.wsUrl}${path}`, { token: client.token });
      expect((await again.closed).code).toBe(4401);
      expect(again.frames).toEqual([{ type: 'error', code: 'unauthorized', message: expect.any(String) }]);
    }
  });

  it('an erased account’s sockets on the other instance close; it no longer chats', async () => {
    const { consultation, client, numerologist } = await createConsultation(A);
    const clientOnB = (await on(B).chat(client, consultation.id)).socket;
    const numerologistOnA = (await on(A).chat(numerologist, consultation.id)).socket;
    const res = await http(A.httpUrl, 'DELETE', '/api/users/me', {
      token: client.token,
      body: { password: client.password },
    });
    expect(res.status).toBe(204);
    await expectSessionEnded(clientOnB);
    await expectServed(numerologistOnA);
  });

  it('an admin block on B closes the user’s sockets on A; login through A answers 403', async () => {
    const admin = await createUser(A, { name: 'Admin' });
    await cluster.sql(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.id]);
    const user = await createUser(A);
    const onA = (await on(A).notifications(user)).socket;
    expect((await post(B, `/api/admin/users/${user.id}/block`, admin.token)).status).toBe(204);
    await expectSessionEnded(onA);
    const login = await http(A.httpUrl, 'POST', '/api/auth/login', {
      body: { email: user.email, password: user.password },
    });
    expect(login.status).toBe(403);
  });

  it('a session revoked while Redis is away: 401 on every instance at once, and its socket closes once Redis is back', async () => {
    const user = await createUser(A);
    const onB = (await on(B).notifications(user)).socket;
    await cluster.redis.stop();
    try {
      expect((await post(A, '/api/auth/logout-all', user.token)).status).toBe(204);
      // The database is the record every instance shares: B refuses the token without the event.
      expect(await meStatus(B, user.token)).toBe(401);
    } finally {
      await cluster.redis.restart();
    }
    // The event A kept while Redis was away reaches B after the restart.
    await expectSessionEnded(onB, 20_000);
    // Both instances whole again (subscriber included) before the next test, whichever it is.
    for (const instance of [A, B]) {
      await waitFor(`${instance.name} healthy again`, async () => (await instance.health()).status === 200, 20_000);
    }
  }, 60_000);
});
