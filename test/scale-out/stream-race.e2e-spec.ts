import WebSocket from 'ws';
import type { ChatMessageData, ServerFrame } from '@numerai/protocol';
import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { Cluster, describeScaleOut, FAKETIME, Instance, sleep, waitFor } from './support/cluster';
import { keepDoing, ResumingReader } from './support/resuming-reader';

/**
 * The cluster race of issue 13: three instances on PostgreSQL + Redis, C's clock a second
 * behind (libfaketime), writers on different instances storing into one stream at once, and a
 * phone of the reader reconnecting every 20–80 ms from its resume point, round the instances.
 * At the end the phone holds exactly what the database holds, and every connection got its
 * frames in seq order with no gap and no duplicate. STREAM_RACE_MS sets the race's length.
 */
/**
 * The race's length. Load for a span of time, not a wait for a condition: whatever the machine's
 * speed, the phone goes through about RACE_MS / 50 reconnections while the writers interleave, and
 * every assertion is on what was stored against what was received, none on how long anything took.
 */
const RACE_MS = Number(process.env.STREAM_RACE_MS ?? 10_000);
/** Requests each writer keeps in flight, so that batches of both instances interleave. */
const IN_FLIGHT = 4;
const UNLIMITED = '1000000';

const describeRace = FAKETIME
  ? describeScaleOut
  : (name: string, body: () => void) => {
      const reason = 'faketime is not installed (apt-get install faketime; .ci/run installs it)';
      process.stdout.write(`${name}: skipped: ${reason}\n`);
      describe.skip(`${name} (skipped: ${reason})`, () => it('needs faketime', () => undefined));
      void body;
    };

describeRace('scale-out: ordered, lossless streams under a race, one clock a second behind', () => {
  let cluster: Cluster;
  let A: Instance;
  let B: Instance;
  let C: Instance;

  beforeAll(async () => {
    cluster = await Cluster.start(2, {
      RATE_LIMIT_PER_MINUTE: UNLIMITED,
      WS_UPGRADES_PER_MINUTE_PER_IP: UNLIMITED,
      WS_MAX_CONNECTIONS_PER_USER: '100',
      LOG_LEVEL: 'warn',
    });
    // A host whose clock drifted: C stamps ids a second behind A and B.
    await cluster.add([FAKETIME!, '-f', '-1s']);
    [A, B, C] = cluster.instances;
  }, 180_000);

  afterAll(() => cluster?.stopAndCheck(), 60_000);

  it('C really runs a second behind', async () => {
    const skew = async (instance: Instance) => {
      const response = await fetch(`${instance.httpUrl}/health`);
      return Date.parse(response.headers.get('date') ?? '') - Date.now();
    };
    // The Date header has whole seconds: over several samples C reads about a second less than A.
    let difference = 0;
    for (let i = 0; i < 8; i++) difference += ((await skew(A)) - (await skew(C))) / 8;
    expect(difference).toBeGreaterThan(400);
  });

  it(
    'chat: two participants sending on A and C, a phone resuming every 20–80 ms round A, B, C: nothing lost, all in seq order',
    async () => {
      const { consultation, client, numerologist } = await createConsultation(A);
      const path = `/ws/chat/${consultation.id}/`;
      const senders = [new Sender(A, path, client, 'a'), new Sender(C, path, numerologist, 'c')];
      await Promise.all(senders.map((sender) => sender.opened));
      const phone = new ResumingReader(
        [A, B, C].map((instance) => `${instance.wsUrl}${path}`),
        client.token,
        'chat_message',
      );
      phone.start();
      const sending = senders.flatMap((sender) =>
        Array.from({ length: IN_FLIGHT }, () => keepDoing(() => sender.sendOne())),
      );
      await sleep(RACE_MS); // the race runs (see RACE_MS)
      const sent = await Promise.all(sending.map((loop) => loop.stop()));
      await phone.finish();
      for (const outcome of sent) expect(outcome.failure).toBeUndefined();

      const stored = await cluster.rows<{ id: string; seq: number; created_at: Date; sender_id: string }>(
        'SELECT id, seq, created_at, sender_id FROM chat_messages WHERE consultation_id = $1 ORDER BY seq',
        [consultation.id],
      );
      report('chat', stored.length, phone);
      // Everything sent, after the booking's system message (position 1).
      expect(stored.length).toBe(1 + sent.reduce((sum, outcome) => sum + outcome.count, 0));
      expect(stored.map((row) => row.seq)).toEqual(stored.map((_, i) => i + 1));
      const times = stored.map((row) => row.created_at.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(phone.violations.slice(0, 10)).toEqual([]);
      expect(new Set(phone.received.keys())).toEqual(new Set(stored.map((row) => row.id)));
      expect(phone.live).toBeGreaterThan(0);

      // History is in seq order whichever instance (clock) stored what: oldest first by after_seq, newest first by id.
      const oldestFirst: ChatMessageData[] = [];
      for (let after = 0; ;) {
        const page = await http(C.httpUrl, 'GET', `${historyPath(consultation.id)}?after_seq=${after}&limit=100`, {
          token: client.token,
        });
        expect(page.status).toBe(200);
        oldestFirst.push(...page.body.items);
        if (page.body.next_after_seq === null) break;
        after = page.body.next_after_seq;
      }
      expect(oldestFirst.map((message) => message.id)).toEqual(stored.map((row) => row.id));
      const newest = await http(B.httpUrl, 'GET', `${historyPath(consultation.id)}?limit=100`, { token: client.token });
      const older = await http(B.httpUrl, 'GET', `${historyPath(consultation.id)}?before=${newest.body.next_before}`, {
        token: client.token,
      });
      const newestFirst = [...newest.body.items, ...older.body.items].map((message: ChatMessageData) => message.id);
      expect(newestFirst).toEqual(
        [...stored]
          .reverse()
          .slice(0, newestFirst.length)
          .map((row) => row.id),
      );

      // A receipt for an earlier message leaves the marker, although C's later message has the smaller id.
      const fromA = stored.findIndex(
        (row, i) =>
          row.sender_id === client.id &&
          stored.slice(i + 1).some((later) => later.sender_id === numerologist.id && later.id < row.id),
      );
      expect(fromA).toBeGreaterThanOrEqual(0);
      const earlier = stored[fromA];
      const later = stored.slice(fromA + 1).find((row) => row.sender_id === numerologist.id && row.id < earlier.id)!;
      const reader = senders[0];
      await reader.receipt(later.id);
      await reader.receipt(earlier.id);
      await waitFor('the marker to settle', async () => {
        const [marker] = await cluster.rows<{ last_read_message_id: string; last_read_seq: number }>(
          'SELECT last_read_message_id, last_read_seq FROM chat_read_markers WHERE consultation_id = $1 AND user_id = $2',
          [consultation.id, client.id],
        );
        if (marker?.last_read_message_id === later.id && marker.last_read_seq === later.seq) return true;
        // Said in the timeout's message: where the marker stands instead (and so which receipt went wrong).
        throw new Error(
          `marker at ${JSON.stringify(marker)}, want ${later.id} (seq ${later.seq}); earlier seq ${earlier.seq}`,
        );
      });
      for (const sender of senders) sender.close();
    },
    RACE_MS + 120_000,
  );

  it(
    'notifications: created on A and C at once, a phone resuming every 20–80 ms round A, B, C: nothing lost, all in seq order',
    async () => {
      const user = await createUser(A);
      const admin = await createUser(A, { name: 'Admin' });
      await cluster.sql(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.id]);
      const phone = new ResumingReader(
        [A, B, C].map((instance) => `${instance.wsUrl}/ws/notifications/`),
        user.token,
        'notification',
      );
      phone.start();
      const creating = [A, C].map((instance) =>
        keepDoing(async () => {
          const res = await http(instance.httpUrl, 'POST', '/api/admin/notifications', {
            token: admin.token,
            body: { user_id: user.id, title: 'Race', message: 'numbered', notification_type: 'race' },
          });
          if (res.status !== 201) throw new Error(`notify on ${instance.name}: ${res.status}`);
        }),
      );
      await sleep(RACE_MS); // the race runs (see RACE_MS)
      const created = await Promise.all(creating.map((loop) => loop.stop()));
      await phone.finish();
      for (const outcome of created) expect(outcome.failure).toBeUndefined();

      const stored = await cluster.rows<{ id: string; seq: number }>(
        'SELECT id, seq FROM notifications WHERE user_id = $1 ORDER BY seq',
        [user.id],
      );
      report('notifications', stored.length, phone);
      expect(stored.length).toBe(created.reduce((sum, outcome) => sum + outcome.count, 0));
      expect(stored.map((row) => row.seq)).toEqual(stored.map((_, i) => i + 1));
      expect(phone.violations.slice(0, 10)).toEqual([]);
      expect(new Set(phone.received.keys())).toEqual(new Set(stored.map((row) => row.id)));
      expect(phone.live).toBeGreaterThan(0);
    },
    RACE_MS + 120_000,
  );
});

const historyPath = (consultationId: string) => `/api/consultations/${consultationId}/messages`;

function report(stream: string, stored: number, phone: ResumingReader): void {
  process.stdout.write(
    `stream race (${stream}, ${RACE_MS} ms): ${stored} stored; phone connected ${phone.connections} times, ` +
      `got ${phone.received.size} (${phone.replayed} replayed, ${phone.live} live), ` +
      `${phone.violations.length} order violations\n`,
  );
}

/** A participant's socket sending as fast as its own acknowledgements come back. */
class Sender {
  readonly opened: Promise<void>;
  private readonly ws: WebSocket;
  private waiting = new Map<string, (error?: Error) => void>();
  private count = 0;

  constructor(
    instance: Instance,
    path: string,
    user: TestUser,
    private readonly tag: string,
  ) {
    const url = new URL(`${instance.wsUrl}${path}`);
    url.searchParams.set('token', user.token);
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as ServerFrame;
      if (frame.type === 'chat_message' && frame.data.client_id) this.waiting.get(frame.data.client_id)?.();
      if (frame.type === 'error' && frame.ref)
        this.waiting.get(frame.ref)?.(new Error(`${frame.code}: ${frame.message}`));
    });
  }

  /** One message, resolved when its acknowledgement (the echo) arrives; an error frame fails it. */
  sendOne(): Promise<void> {
    const clientId = `${this.tag}-${++this.count}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no acknowledgement for ${clientId}`)), 15_000);
      this.waiting.set(clientId, (error) => {
        clearTimeout(timer);
        this.waiting.delete(clientId);
        if (error) reject(error);
        else resolve();
      });
      this.ws.send(JSON.stringify({ type: 'chat_message', message: `race ${clientId}`, client_id: clientId }));
    });
  }

  /** Sends a read_receipt and waits for a pong after it (frames of one socket are handled in order); an error before it fails. */
  async receipt(messageId: string): Promise<void> {
    this.ws.send(JSON.stringify({ type: 'read_receipt', message_id: messageId }));
    await new Promise<void>((resolve, reject) => {
      const onPong = (raw: WebSocket.RawData) => {
        const frame = JSON.parse(raw.toString()) as ServerFrame;
        if (frame.type === 'error') {
          this.ws.off('message', onPong);
          reject(new Error(`read_receipt refused: ${frame.code}: ${frame.message}`));
        }
        if (frame.type !== 'pong') return;
        this.ws.off('message', onPong);
        resolve();
      };
      this.ws.on('message', onPong);
      this.ws.send(JSON.stringify({ type: 'ping' }));
    });
  }

  close(): void {
    this.ws.close();
  }
}
