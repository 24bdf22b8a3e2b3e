import { createServer, Server } from 'node:http';
import { DataSource } from 'typeorm';
import { newId } from '@numerai/database';
import { PushDeliveryEntity, PushSubscriptionEntity } from '@numerai/push';
import { JobRunner, ManualClock } from '@numerai/scheduler';
import { PushFixture } from '../push/support/push-fixture';
import { LOCAL_PUSH_SERVICE_ENV } from '../push/support/push-service';
import { createUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { waitFor } from '../support/wait-for';
import { fmtMb, MB, memoryAfterGc } from './support/harness';
import { ReliabilityRecorder } from './support/recorder';

/**
 * Issue 23's Web Push findings, as attacks: a push service (or whatever an endpoint points at)
 * answering with an endless body, and endpoints meant to make the server POST into its own
 * network — address spellings a host-string comparison let through, and a listed name that
 * resolves to loopback. Plus an expirationTime no date holds.
 */
const recorder = new ReliabilityRecorder('push-abuse');
const AREA = 'Web Push abuse';
const GRACE_MS = 1000;

/** Hosts that all reach this machine or its network; each was accepted, or requested, before issue 23. */
const BYPASS_HOSTS = [
  '127.0.0.1',
  '[::ffff:127.0.0.1]',
  '[::ffff:7f00:1]',
  '127.0.0.2',
  '2130706433', // 127.0.0.1, as the URL parser reads a bare number
  '0x7f.1',
  '0.0.0.0',
  '[::]',
  '[::1]',
  'localhost.',
  '10.0.0.1',
  '172.16.0.1',
  '192.168.0.1',
  '100.64.0.1',
  '169.254.169.254',
  '[::ffff:169.254.169.254]',
  '[fe80::1]',
  '[fd00::1]',
  'metadata.google.internal',
];

/** Bodies the push service streams: as good as endless to a reader that reads them (4 × 128 MB). */
const BOMB_SUBSCRIPTIONS = 4;
const BOMB_BYTES = 128 * MB;
const RSS_GROWTH_BOUND = 64 * MB;
const UNREAD_BODY_BOUND = 8 * MB;

/** An HTTP listener on this machine's loopback addresses that counts what reaches it. */
class Canary {
  readonly paths: string[] = [];
  connections = 0;
  private constructor(
    private readonly servers: Server[],
    readonly port: number,
  ) {}

  static async start(): Promise<Canary> {
    const listen = (host: string, port: number) =>
      new Promise<Server | undefined>((resolve) => {
        const server = createServer();
        server.once('error', () => resolve(undefined)); // no IPv6 loopback here: that address is just not watched
        server.listen(port, host, () => resolve(server));
      });
    const first = (await listen('127.0.0.1', 0))!;
    const { port } = first.address() as { port: number };
    const servers = [first, ...(await Promise.all([listen('127.0.0.2', port), listen('::1', port)]))].filter(
      (server): server is Server => server !== undefined,
    );
    const canary = new Canary(servers, port);
    for (const server of servers) {
      server.on('connection', () => canary.connections++);
      server.on('request', (req, res) => {
        canary.paths.push(req.url ?? '');
        res.writeHead(404).end(); // what would tell a registrant "something answered here"
      });
    }
    return canary;
  }

  close(): Promise<void> {
    return Promise.all(
      this.servers.map((server) => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    ).then(() => undefined);
  }
}

describe(`hostile: Web Push abuse (${ENGINE})`, () => {
  const clock = new ManualClock();
  let strict: TestServer;
  let strictPush: PushFixture;
  let local: TestServer;
  let localPush: PushFixture;
  let canary: Canary;

  const sweep = (server: TestServer) => server.app.get(JobRunner).runNow('push-deliveries');
  const subscriptions = (server: TestServer) => server.app.get(DataSource).getRepository(PushSubscriptionEntity);
  const firstMessage = (body: { message?: string | string[] }) =>
    Array.isArray(body.message) ? body.message[0] : body.message;

  beforeAll(async () => {
    canary = await Canary.start();
    // The defaults, but `localhost` listed as a push service: a name that resolves to loopback.
    strict = await startTestServer(
      { PUSH_ENDPOINT_HOSTS: 'localhost', PUSH_GRACE_MS: String(GRACE_MS), LOG_LEVEL: 'info' },
      { clock },
    );
    strictPush = await PushFixture.start(strict);
    // A push service on loopback, so private endpoints opted in: where the answers are hostile.
    local = await startTestServer({ ...LOCAL_PUSH_SERVICE_ENV, PUSH_GRACE_MS: String(GRACE_MS) }, { clock });
    localPush = await PushFixture.start(local);
  });
  afterAll(async () => {
    recorder.write();
    await canary?.close();
    await Promise.all([strictPush?.close(), localPush?.close()]);
    await Promise.all([strict?.close(), local?.close()]);
  });

  it('each request-forgery host: refused at registration; stored anyway (an older version’s row), never requested', async () => {
    const user = await createUser(strict);
    const endpoint = (scheme: string, host: string, i: number) => `${scheme}://${host}:${canary.port}/push/${i}`;
    const registered = [];
    for (const [i, host] of BYPASS_HOSTS.entries()) {
      const body = { ...strictPush.pushService.subscription(`r${i}`), endpoint: endpoint('https', host, i) };
      const res = await http(strict.httpUrl, 'POST', '/api/push/subscriptions', { token: user.token, body });
      registered.push({ status: res.status, message: firstMessage(res.body) });
    }
    // As rows an older version stored: plain http, so a request would be read by the canary.
    const rows: PushSubscriptionEntity[] = BYPASS_HOSTS.map((host, i) => ({
      id: newId(),
      userId: user.id,
      endpoint: endpoint('http', host, i),
      ...strictPush.pushService.subscription(`s${i}`).keys,
      expirationTime: null,
      createdAt: new Date(),
    }));
    await subscriptions(strict).insert(rows);
    await strictPush.notify(user, 'Inward');
    const accepted = registered.filter((answer) => answer.status === 201).length; // each one queues a push too
    await strictPush.waitQueued(user, rows.length + accepted);
    clock.advance(GRACE_MS);
    await sweep(strict);
    const queued = await strictPush.queued(user);
    const kept = await subscriptions(strict).countBy({ userId: user.id });

    for (const [i, host] of BYPASS_HOSTS.entries()) {
      const notSent = strict.logs.find((line) => line.includes(`push to subscription ${rows[i].id} not sent`));
      const requested = canary.paths.filter((path) => path === `/push/${i}`).length;
      const ok = registered[i].status === 400 && notSent !== undefined && requested === 0;
      recorder.record({
        area: AREA,
        attack: `push endpoint on ${host}`,
        tried: 2,
        expected: '400 at registration; a stored one is not sent (no request, so nothing learnt of the answer)',
        seen:
          `registration ${registered[i].status} "${registered[i].message}"; send: ` +
          `${notSent ? /not sent: ([^;]*)/.exec(notSent)?.[1] : 'attempted'}, ${requested} request(s) received`,
        ok,
      });
    }
    expect(registered.filter((answer) => answer.status !== 400)).toEqual([]);
    expect(canary.paths).toEqual([]);
    expect(canary.connections).toBe(0);
    expect(queued).toBe(0); // every push decided, none waiting on a retry
    expect(kept).toBe(rows.length + accepted); // not deleted either: deleting would say how the address answered
    for (const row of rows) {
      expect(strict.logs.some((line) => line.includes(`push to subscription ${row.id} not sent`))).toBe(true);
    }
  });

  it('a listed name that resolves to loopback: accepted at registration, refused at send time', async () => {
    const user = await createUser(strict);
    const body = {
      ...strictPush.pushService.subscription('named'),
      endpoint: `https://localhost:${canary.port}/push/named`,
    };
    const res = await http(strict.httpUrl, 'POST', '/api/push/subscriptions', { token: user.token, body });
    await strictPush.notify(user, 'Via DNS');
    await strictPush.waitQueued(user);
    clock.advance(GRACE_MS);
    await sweep(strict);
    const notSent = strict.logs.find((line) => line.includes(`push to subscription ${res.body.id} not sent`));
    const ok = res.status === 201 && notSent !== undefined && canary.connections === 0;
    recorder.record({
      area: AREA,
      attack: 'push endpoint on a listed name (PUSH_ENDPOINT_HOSTS=localhost) resolving to 127.0.0.1/::1',
      tried: 1,
      expected: 'registration 201 (the host is listed); send refused after resolving, no connection',
      seen: `registration ${res.status}; send: ${notSent ? /not sent: ([^;]*)/.exec(notSent)?.[1] : 'attempted'}, ${canary.connections} connection(s)`,
      ok,
    });
    expect(res.status).toBe(201);
    expect(notSent).toContain('resolves to a loopback or private address');
    expect(canary.connections).toBe(0);
    expect(await strictPush.queued(user)).toBe(0);
  });

  it(`memory bomb: ${BOMB_SUBSCRIPTIONS} subscriptions whose push service answers 201 + ${BOMB_BYTES / MB} MB`, async () => {
    const user = await localPush.subscribedUser('bomb-0');
    for (let i = 1; i < BOMB_SUBSCRIPTIONS; i++) await localPush.subscribedUser(`bomb-${i}`, user);
    const names = Array.from({ length: BOMB_SUBSCRIPTIONS }, (_, i) => `bomb-${i}`);
    for (const name of names) localPush.pushService.answer(name, { status: 201, bodyBytes: BOMB_BYTES });
    const notification = await localPush.notify(user, 'Bomb');
    await localPush.waitQueued(user, BOMB_SUBSCRIPTIONS);
    clock.advance(GRACE_MS);

    const before = memoryAfterGc().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    try {
      await sweep(local);
      await waitFor('every answer’s connection closed', () =>
        names.every((name) => localPush.pushService.streamed.has(name)),
      );
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    const delivered = names.filter((name) =>
      localPush.pushService.delivered(name).some((payload) => payload.notification_id === notification.id),
    ).length;
    const read = Math.max(...names.map((name) => localPush.pushService.streamed.get(name) ?? 0));
    const queued = await localPush.queued(user);
    recorder.note('push_bomb_rss', { before: fmtMb(before), peak: fmtMb(peak) });
    const ok = peak - before < RSS_GROWTH_BOUND && delivered === BOMB_SUBSCRIPTIONS && queued === 0;
    recorder.record({
      area: AREA,
      attack: `push service answers 201 with ${BOMB_BYTES / MB} MB bodies, ${BOMB_SUBSCRIPTIONS} subscriptions of one user`,
      tried: BOMB_SUBSCRIPTIONS,
      expected: `RSS grows < ${fmtMb(RSS_GROWTH_BOUND)}; each push recorded as sent; body not read`,
      seen: `RSS +${fmtMb(peak - before)} (peak ${fmtMb(peak)}); ${delivered}/${BOMB_SUBSCRIPTIONS} sent; at most ${fmtMb(read)} of a body taken`,
      ok,
    });
    expect(peak - before).toBeLessThan(RSS_GROWTH_BOUND);
    expect(read).toBeLessThan(UNREAD_BODY_BOUND);
    expect(delivered).toBe(BOMB_SUBSCRIPTIONS);
    expect(queued).toBe(0);
  });

  it('a 429 with Retry-After and a huge body: retried when it says, the body unread', async () => {
    const user = await localPush.subscribedUser('bomb-429');
    localPush.pushService.answer('bomb-429', {
      status: 429,
      headers: { 'retry-after': '120' },
      bodyBytes: BOMB_BYTES,
    });
    await localPush.notify(user, 'Later');
    await localPush.waitQueued(user);
    clock.advance(GRACE_MS);
    const sentAt = clock.now().getTime();
    await sweep(local);
    await waitFor('the 429’s connection closed', () => localPush.pushService.streamed.has('bomb-429'));
    const [row] = await local.app.get(DataSource).getRepository(PushDeliveryEntity).findBy({ userId: user.id });
    const read = localPush.pushService.streamed.get('bomb-429') ?? 0;
    const retryInMs = row ? row.dueAt.getTime() - sentAt : undefined;
    const ok = retryInMs === 120_000 && row?.state === 'pending' && read < UNREAD_BODY_BOUND;
    recorder.record({
      area: AREA,
      attack: `push service answers 429, Retry-After: 120, with a ${BOMB_BYTES / MB} MB body`,
      tried: 1,
      expected: 'retry due in exactly 120 s; body not read',
      seen: `retry due in ${retryInMs === undefined ? 'none' : `${retryInMs / 1000} s`}; ${fmtMb(read)} of the body taken`,
      ok,
    });
    expect(row?.state).toBe('pending');
    expect(retryInMs).toBe(120_000);
    expect(read).toBeLessThan(UNREAD_BODY_BOUND);
  });

  it.each([
    ['expirationTime 1e21', { expirationTime: 1e21 }, 'expirationTime must be'],
    ['a malformed keys.p256dh', { keys: { p256dh: 'short', auth: 'A'.repeat(22) } }, 'keys.p256dh must be'],
  ])('a push subscription with %s: 400 naming the field', async (what, change, names) => {
    const user = await createUser(strict);
    const body = {
      ...strictPush.pushService.subscription('fields'),
      endpoint: 'https://fcm.googleapis.com/fcm/send/fields',
      ...change,
    };
    const res = await http(strict.httpUrl, 'POST', '/api/push/subscriptions', { token: user.token, body });
    const message = firstMessage(res.body) ?? '';
    recorder.record({
      area: AREA,
      attack: `push subscription with ${what}`,
      tried: 1,
      expected: `400 "${names} …"`,
      seen: `${res.status} "${message}"`,
      ok: res.status === 400 && message.startsWith(names),
    });
    expect(res.status).toBe(400);
    expect(message.startsWith(names) ? names : message).toBe(names);
  });
});
