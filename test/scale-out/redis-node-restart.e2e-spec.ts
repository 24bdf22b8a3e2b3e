import { consultationRoom, roomChannel } from '@numerai/events';
import { createConsultation } from '../support/factories';
import { Cluster, describeScaleOut, Instance, sleep, testClientsClosedAfterEach, waitFor } from './support/cluster';

/**
 * The node carrying a conversation's channel restarts empty while people talk: the only
 * server, or one master of three (the nemesis saw instances stay "Redis connection lost" for
 * 7–46 s after such a master was back). Once the node serves again, cross-instance delivery
 * and /health come back within 15 s, and every acknowledged message reaches the other
 * instance's reader once, in order.
 */
const DOWN_MS = 2000;
/**
 * Measured 0.1–2 s earlier, now 5–10 s on both Redis setups (an open finding, docs/reliability.md:
 * the sender's instance is back within 0.5 s and publishes its held events 1.2 s later, yet the
 * reader elsewhere waits several seconds more). The bound catches the stall the nemesis saw
 * (tens of seconds); the time is printed.
 */
const RECOVERY_BOUND_MS = 15_000;

describeScaleOut('scale-out: the Redis node of a conversation restarts', () => {
  let cluster: Cluster;
  let A: Instance;
  let B: Instance;
  const on = testClientsClosedAfterEach();

  beforeAll(async () => {
    // The chat rate limit out of the way: the messages sent across the outage are the subject.
    cluster = await Cluster.start(2, { RATE_LIMIT_PER_MINUTE: '100000' });
    [A, B] = cluster.instances;
  }, 180_000);

  afterAll(() => cluster?.stopAndCheck({ noneDied: true }), 60_000);

  it('cross-instance delivery and /health are back within 15 s of the node serving; nothing lost or doubled', async () => {
    const { consultation, client, numerologist } = await createConsultation(A, { status: 'active' });
    const sender = await on(A).chat(client, consultation.id);
    const remote = await on(B).chat(numerologist, consultation.id);
    const acknowledged: string[] = [];
    const send = async (text: string): Promise<void> => {
      sender.send('chat_message', { message: text, client_id: text });
      const echo = await sender.socket.nextMatching(
        'chat_message',
        (frame) => frame.data.client_id === text,
        `the echo of ${text}`,
        10_000,
      );
      acknowledged.push(echo.data.id);
    };
    await send('before');

    // Messages keep going while the node is down (acknowledged once stored, whatever Redis does).
    let talking = true;
    let n = 0;
    const talk = (async () => {
      while (talking) {
        await send(`during ${n++}`);
        // Spreads the messages over the outage (its length is the subject, not this pause).
        await sleep(50);
      }
    })();
    await cluster.redis.restartOneNode(DOWN_MS, roomChannel(consultationRoom(consultation.id)));
    const servingAt = Date.now();
    talking = false;
    await talk;

    // A probe after the node serves again reaches B; each is acknowledged before the next.
    await waitFor(
      'a message sent after the restart to reach the other instance',
      async () => {
        const probe = `probe ${n++}`;
        await send(probe);
        return remote.all('chat_message').some((frame) => frame.data.client_id === probe);
      },
      RECOVERY_BOUND_MS,
      100,
    );
    for (const instance of [A, B]) {
      await waitFor(
        `${instance.name} healthy`,
        async () => (await instance.health()).status === 200,
        RECOVERY_BOUND_MS,
      );
    }
    const recoveredMs = Date.now() - servingAt;
    process.stdout.write(`redis node restart: delivery and health back ${recoveredMs} ms after the node served\n`);
    expect(recoveredMs).toBeLessThan(RECOVERY_BOUND_MS);

    // What was acknowledged meanwhile reaches B once and in order (held during the outage, or
    // fetched by the room's gap fill): the reader's seq never skips or repeats.
    await waitFor('every acknowledged message on B', () => remote.all('chat_message').length >= acknowledged.length);
    expect(remote.all('chat_message').map((frame) => frame.data.id)).toEqual(acknowledged);
  }, 90_000);
});
