import { createConsultation, createUser } from '../support/factories';
import { http } from '../support/http';
import { Cluster, describeScaleOut, Instance, sleep, testClientsClosedAfterEach, waitFor } from './support/cluster';

/**
 * What happens when parts of the cluster fail: an instance killed without closing its
 * sockets, and Redis going away for a while. Short presence TTL so the test is quick;
 * the defaults (15 s TTL + 5 s grace) keep the same bound under 30 s — to measure them:
 * SCALE_OUT_INSTANCE_TTL_MS=15000 SCALE_OUT_GRACE_MS=5000 npx jest test/scale-out/failover.
 */
const INSTANCE_TTL_MS = Number(process.env.SCALE_OUT_INSTANCE_TTL_MS || 3000);
const GRACE_MS = Number(process.env.SCALE_OUT_GRACE_MS || 1000);

describeScaleOut('scale-out: failures', () => {
  let cluster: Cluster;
  let A: Instance;
  let B: Instance;
  let C: Instance;
  const on = testClientsClosedAfterEach();

  beforeAll(async () => {
    cluster = await Cluster.start(3, {
      PRESENCE_INSTANCE_TTL_MS: String(INSTANCE_TTL_MS),
      PRESENCE_GRACE_MS: String(GRACE_MS),
    });
    [A, B, C] = cluster.instances;
  }, 180_000);

  afterAll(() => cluster?.stopAndCheck(), 60_000);

  it('Redis down for 5 s: nobody crashes, local delivery never stops, cross-instance resumes within 5 s', async () => {
    const { consultation, client, numerologist } = await createConsultation(A, { status: 'active' });
    const watcher = await createUser(A);
    const sender = await on(A).chat(client, consultation.id);
    const localPeer = await on(A).chat(numerologist, consultation.id); // same instance as the sender
    const remotePeer = await on(B).chat(numerologist, consultation.id); // another instance

    const exchange = async (text: string) => {
      sender.send('chat_message', { message: text });
      const local = await localPeer.next('chat_message', 2000);
      expect(local.data.content).toBe(text);
      return local.data.id;
    };
    await exchange('all is well');
    expect((await remotePeer.next('chat_message')).data.content).toBe('all is well');

    await cluster.redis.stop();
    const stoppedAt = Date.now();
    for (const instance of [A, B]) {
      await waitFor(`${instance.name} to report redis down`, async () => {
        const health = await instance.health();
        return health.status === 503 && health.body.checks.redis === 'down' && health.body.checks.database === 'up';
      });
    }

    // Five seconds without Redis: every message still reaches the sockets of its own instance at once.
    // The outage's length is the subject; the 250 ms only spread its messages over it (no condition).
    const duringOutage: string[] = [];
    let n = 0;
    while (Date.now() - stoppedAt < 5000) {
      duringOutage.push(await exchange(`during the outage ${n++}`));
      await sleep(250);
    }
    expect(duringOutage.length).toBeGreaterThan(5);

    await cluster.redis.restart();
    const restartedAt = Date.now();
    // A probe every 200 ms until one sent after the restart arrives on the other instance (known
    // there by its client_id: the probe does not wait for its own echo).
    const probes = new Set<string>();
    await waitFor(
      'a message sent after the restart to reach the other instance',
      () => {
        if (remotePeer.all('chat_message').some((frame) => probes.has(frame.data.client_id ?? ''))) return true;
        const probe = `probe-${probes.size}`;
        probes.add(probe);
        sender.send('chat_message', { message: probe, client_id: probe });
        return false;
      },
      5000,
      200,
    );
    const crossInstanceMs = Date.now() - restartedAt;
    process.stdout.write(`redis outage: cross-instance delivery resumed ${crossInstanceMs} ms after Redis restarted\n`);
    expect(crossInstanceMs).toBeLessThan(5000);

    for (const instance of [A, B, C]) {
      await waitFor(`${instance.name} healthy again`, async () => (await instance.health()).status === 200, 5000);
    }
    // What was published during the outage was held and delivered after it, in order, before the probes.
    const remote = remotePeer.all('chat_message').map((frame) => frame.data.id);
    expect(remote.slice(1, 1 + duringOutage.length)).toEqual(duringOutage);

    // Redis restarted empty (no persistence): each instance re-registered its connections,
    // so presence is whole again — the sender (on A) is online for a contact arriving on C.
    const numerologistPresence = await on(C).presence(numerologist);
    expect(await numerologistPresence.next('presence_state')).toEqual({
      type: 'presence_state',
      users: [{ user_id: client.id, user_name: client.name }],
    });
    const watcherSocket = await on(C).presence(watcher);
    expect(await watcherSocket.next('presence_state')).toEqual({ type: 'presence_state', users: [] });

    // One line when Redis went away and one when it came back, per instance; no crash.
    for (const instance of [A, B, C]) {
      expect(instance.running).toBe(true);
      expect(instance.logsMatching(/Redis connection lost/)).toHaveLength(1);
      expect(instance.logsMatching(/Redis connection restored/)).toHaveLength(1);
      expect(instance.problems()).toEqual([]);
    }
  }, 60_000);

  it('SIGKILL an instance: its users go offline elsewhere within 30 s; its clients catch up on another', async () => {
    // An instance of its own to kill, so the suite's A, B and C stay up whatever order its tests run in.
    const C = await cluster.add();
    const { consultation, client, numerologist } = await createConsultation(A, { status: 'active' });

    // The client lives on C (about to die), the numerologist on A; B watches presence.
    const clientChat = await on(C).chat(client, consultation.id);
    const clientPresence = await on(C).presence(client);
    const numerologistChat = await on(A).chat(numerologist, consultation.id);
    const numerologistPresence = await on(B).presence(numerologist);
    await clientPresence.next('presence_state');
    expect(await numerologistPresence.next('presence_state')).toEqual({
      type: 'presence_state',
      users: [{ user_id: client.id, user_name: client.name }],
    });

    clientChat.send('chat_message', { message: 'before the crash' });
    const seen = await numerologistChat.next('chat_message');
    expect((await clientChat.next('chat_message')).data.id).toBe(seen.data.id);

    const killedAt = Date.now();
    C.kill('SIGKILL');
    await C.exited;
    await clientChat.socket.closed;

    // While the client is away, the numerologist keeps writing (stored, and broadcast on A).
    const missed: string[] = [];
    for (let i = 0; i < 3; i++) {
      numerologistChat.send('chat_message', { message: `while you were away ${i}` });
      missed.push((await numerologistChat.next('chat_message')).data.id);
    }

    // No close ever reached anyone: the heartbeat expires, another instance reaps C.
    const offline = await numerologistPresence.next('user_offline', 30_000);
    const offlineAfterMs = Date.now() - killedAt;
    expect(offline).toMatchObject({ user_id: client.id, last_seen: expect.any(String) });
    expect(offlineAfterMs).toBeLessThan(30_000);
    process.stdout.write(
      `failover: ${client.id} offline on B ${offlineAfterMs} ms after SIGKILL of ${C.name} ` +
        `(TTL ${INSTANCE_TTL_MS} ms, grace ${GRACE_MS} ms)\n`,
    );
    const rest = await http(A.httpUrl, 'GET', '/api/presence', { token: numerologist.token });
    expect(rest.body.users).toEqual([{ user_id: client.id, online: false, last_seen: offline.last_seen }]);

    // The client reconnects (to B this time) with the last id it saw: replay, then live.
    const reconnectedAt = Date.now();
    const resumed = await on(B).chat(client, consultation.id, { query: { last_message_id: seen.data.id } });
    const replayed: string[] = [];
    for (let i = 0; i < missed.length; i++) replayed.push((await resumed.next('chat_message')).data.id);
    expect(replayed).toEqual(missed);
    expect(await resumed.next('replay_complete')).toEqual({
      type: 'replay_complete',
      count: missed.length,
      has_more: false,
    });
    expect(await numerologistPresence.next('user_online')).toMatchObject({ user_id: client.id });
    numerologistChat.send('chat_message', { message: 'welcome back' });
    expect((await resumed.next('chat_message')).data.content).toBe('welcome back');
    process.stdout.write(`failover: reconnected on B and caught up in ${Date.now() - reconnectedAt} ms\n`);

    // The survivors are fine.
    for (const instance of [A, B]) expect((await instance.health()).status).toBe(200);
  }, 60_000);

  it('SIGTERM an instance: clients get 1001; a user who does not come back goes offline on the others', async () => {
    const D = await cluster.add();
    const { client, numerologist } = await createConsultation(A, { status: 'active' });
    const watcher = await on(A).presence(numerologist);
    await watcher.next('presence_state');
    const leaving = await on(D).notifications(client);
    expect(await watcher.next('user_online')).toMatchObject({ user_id: client.id });

    const stoppedAt = Date.now();
    const exit = D.stop();
    expect((await leaving.socket.closed).code).toBe(1001);
    expect((await exit).signal).not.toBe('SIGKILL'); // it stopped by itself, in time
    // D's own grace timer died with it; the pending offline it left in Redis is finished by a survivor.
    const offline = await watcher.next('user_offline', 30_000);
    expect(offline).toMatchObject({ user_id: client.id });
    const offlineAfterMs = Date.now() - stoppedAt;
    expect(offlineAfterMs).toBeLessThan(30_000);
    process.stdout.write(`graceful stop: ${client.id} offline on A ${offlineAfterMs} ms after SIGTERM of D\n`);
    expect(D.problems()).toEqual([]);
  }, 60_000);
});
