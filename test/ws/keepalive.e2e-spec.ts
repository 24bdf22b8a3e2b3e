import { once } from 'node:events';
import WebSocket from 'ws';
import { createConsultation, createUser, TestUser } from '../support/factories';
import { startTestServer, TestServer } from '../support/server';
import { TestSocket } from '../support/ws-client';
import { chatUrl, notificationsUrl, presenceUrl, withTimeout } from './helpers';

const PING_INTERVAL_MS = 200;
const IDLE_TIMEOUT_MS = 800;

/** Server pings, idle close 4408 for a silent client, and what counts as activity. */
describe('ws: keep-alive and idle close', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      WS_PING_INTERVAL_MS: String(PING_INTERVAL_MS),
      WS_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
    });
  });
  afterAll(() => server.close());

  /** A raw `ws` client; `autoPong: false` makes it one that does not answer protocol pings. */
  async function open(url: string, user: TestUser, autoPong: boolean) {
    const target = new URL(url);
    target.searchParams.set('token', user.token);
    const socket = new TestSocket(new WebSocket(target, { autoPong, perMessageDeflate: false }));
    await socket.opened;
    await socket.next('connection_established');
    const pings: number[] = [];
    socket.ws.on('ping', () => pings.push(Date.now()));
    return { socket, pings };
  }

  it('the server pings every interval; clients that answer pings, send app-level pings or protocol pings stay open', async () => {
    const [a, b, c, d] = [
      await createUser(server),
      await createUser(server),
      await createUser(server),
      await createUser(server),
    ];
    const started = Date.now();
    const answering = await open(notificationsUrl(server), a, true);
    // Cannot see protocol pings: app-level {"type":"ping"} frames count as activity.
    const appPinging = await open(presenceUrl(server), b, false);
    // Does not answer pings but pings itself: a protocol ping from the client counts too.
    const selfPinging = await open(notificationsUrl(server), c, false);
    const timer = setInterval(() => {
      appPinging.socket.send({ type: 'ping' });
      selfPinging.socket.ws.ping();
    }, IDLE_TIMEOUT_MS / 3);
    try {
      // The subject is the idle timeout itself, so time passes; what says it has passed is a silent
      // client opened after the others being closed for it. The same sweep would have closed them.
      const silent = await open(notificationsUrl(server), d, false);
      expect((await withTimeout(silent.socket.closed, IDLE_TIMEOUT_MS * 6, 'the silent client closed')).code).toBe(
        4408,
      );
      // And then once more as long: whatever kept them open keeps doing so.
      const again = await open(notificationsUrl(server), d, false);
      expect((await withTimeout(again.socket.closed, IDLE_TIMEOUT_MS * 6, 'the silent client closed')).code).toBe(4408);
    } finally {
      clearInterval(timer);
    }
    const span = Date.now() - started;
    // A ping every interval or later, never more often (a loaded machine runs the ticker late, never early).
    expect(answering.pings.length).toBeGreaterThanOrEqual(2);
    expect(answering.pings.length).toBeLessThanOrEqual(Math.ceil(span / PING_INTERVAL_MS) + 1);
    expect(appPinging.socket.all('pong').length).toBeGreaterThanOrEqual(2);
    // Open: each answers a ping of its own (a closed socket makes `next` throw).
    for (const { socket } of [answering, appPinging, selfPinging]) {
      socket.send({ type: 'ping' });
      expect(await socket.next('pong')).toEqual({ type: 'pong' });
    }
    await Promise.all([answering, appPinging, selfPinging].map(({ socket }) => socket.close()));
  });

  it('a client that does not answer pings and sends nothing is closed with 4408 after the idle timeout, on every endpoint', async () => {
    const { consultation, client } = await createConsultation(server);
    const urls = [chatUrl(server, consultation.id), notificationsUrl(server), presenceUrl(server)];
    const openedAt = Date.now();
    const clients = await Promise.all(urls.map((url) => open(url, client, false)));
    for (const { socket, pings } of clients) {
      const closed = await withTimeout(socket.closed, IDLE_TIMEOUT_MS * 6, 'idle close');
      const after = Date.now() - openedAt;
      expect(closed.code).toBe(4408);
      expect(after).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS - 50);
      // Only a loose upper bound: a loaded machine may run the ticker late, never early.
      expect(after).toBeLessThan(IDLE_TIMEOUT_MS * 5);
      expect(pings.length).toBeGreaterThanOrEqual(1); // it was pinged and did not answer
      expect(socket.all('error')).toEqual([]);
    }
  });

  it('activity stopping later still leads to 4408', async () => {
    const user = await createUser(server);
    const { socket } = await open(notificationsUrl(server), user, false);
    // Active for two idle timeouts, paced by the server's own pings: each answered by an app-level
    // ping (this client does not answer protocol pings), and each of those answered while open.
    const openedAt = Date.now();
    while (Date.now() - openedAt < IDLE_TIMEOUT_MS * 2) {
      await withTimeout(once(socket.ws, 'ping'), IDLE_TIMEOUT_MS * 6, 'a server ping');
      socket.send({ type: 'ping' });
      await socket.next('pong');
    }
    const stoppedAt = Date.now();
    const closed = await withTimeout(socket.closed, IDLE_TIMEOUT_MS * 3, 'idle close');
    expect(closed.code).toBe(4408);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS - 100);
  });
});
