import { createConsultation } from '../support/factories';
import { Cluster, describeScaleOut, Instance, testClientsClosedAfterEach, waitFor } from './support/cluster';

const METRICS_TOKEN = 'routing-metrics-token-0123456789';
const BUSY_ROOMS = 3;
const MESSAGES_PER_ROOM = 10;

/** `numerai_events_received_total{channel_kind="<kind>"}` on one instance: events Redis handed it. */
async function received(instance: Instance, kind: 'room' | 'user' | 'broadcast'): Promise<number> {
  const res = await fetch(`${instance.httpUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await res.text();
  const line = text.split('\n').find((row) => row.startsWith(`numerai_events_received_total{channel_kind="${kind}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/**
 * Targeted routing (issue 14): a consultation's events reach only the instances holding one
 * of its sockets. Every socket of the busy rooms is on A; B and C hold none of them, so Redis
 * hands them none of those events — while an event for a room B does hold still arrives there.
 */
describeScaleOut('scale-out: events reach only the instances that need them', () => {
  let cluster: Cluster;
  let A: Instance;
  let B: Instance;
  let C: Instance;
  const on = testClientsClosedAfterEach();

  beforeAll(async () => {
    cluster = await Cluster.start(3, { METRICS_TOKEN, RATE_LIMIT_PER_MINUTE: '100000' });
    [A, B, C] = cluster.instances;
  }, 240_000);

  afterAll(() => cluster?.stopAndCheck(), 60_000);

  it('busy rooms on A cost B and C nothing; a room B holds still reaches B', async () => {
    const busy = await Promise.all(Array.from({ length: BUSY_ROOMS }, () => createConsultation(A)));
    const marker = await createConsultation(A);
    const rooms = await Promise.all(
      busy.map(({ consultation, client, numerologist }) =>
        Promise.all([on(A).chat(client, consultation.id), on(A).chat(numerologist, consultation.id)]),
      ),
    );
    const markerSender = await on(A).chat(marker.client, marker.consultation.id);
    const markerOnB = await on(B).chat(marker.numerologist, marker.consultation.id);
    const [roomB, roomC] = await Promise.all([received(B, 'room'), received(C, 'room')]);

    for (let i = 0; i < MESSAGES_PER_ROOM; i++) {
      for (const [client] of rooms) {
        client.send('typing', { is_typing: true });
        client.send('chat_message', { message: `busy ${i}` });
      }
    }
    // Every message was delivered on A (so published before the marker below).
    await Promise.all(
      rooms.map(async ([, numerologist]) => {
        for (let i = 0; i < MESSAGES_PER_ROOM; i++) await numerologist.next('chat_message');
      }),
    );

    markerSender.send('chat_message', { message: 'marker' });
    expect((await markerOnB.next('chat_message')).data.content).toBe('marker');
    await waitFor('B to count the marker', async () => (await received(B, 'room')) > roomB);

    // B heard exactly the one room event it needed; C, holding no room, heard none.
    expect((await received(B, 'room')) - roomB).toBe(1);
    expect((await received(C, 'room')) - roomC).toBe(0);
  }, 120_000);
});
