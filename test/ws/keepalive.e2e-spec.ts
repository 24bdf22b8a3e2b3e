import WebSocket from 'ws';
import { createConsultation, createUser, TestUser } from '../support/factories';
import { startTestServer, TestServer } from '../support/server';
import { TestSocket } from '../support/ws-client';
import { chatUrl, notificationsUrl, presenceUrl, sleep, withTimeout } from './helpers';

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
    const [a, b, c] = [await createUser(server), await createUser(server), await createUser(server)];
    const answering = await open(notificationsUrl(server), a, true);
    // Cannot see protocol pings: app-level {"type":"ping"} frames count as activity.
    const appPinging = await open(presenceUrl(server), b, false);
    // Does not answer pings but pings itself: a protocol ping from the client counts too.
    const selfPinging = await open(notificationsUrl(server), c, false);
    const timer = setInterval(() => {
      appPinging.socket.send({ type: 'ping' });
      selfPinging.socket.ws.ping();
    }, IDLE_TIMEOUT_MS / 3);
    const span = IDLE_TIMEOUT_MS * 2.5;
    try {
      await sleep(span);
    } finally {
      clearInterval(timer);
    }
    // One pass of the server's ticker per interval: a ping every one to two intervals.
    expect(answering.pings.length).toBeGreaterThanOrEqual(Math.floor(span / (2 * PING_INTERVAL_MS)) - 1);
    expect(answering.pings.length).toBeLessThanOrEqual(Math.ceil(span / PING_INTERVAL_MS) + 1);
    for (const { socket } of [answering, appPinging, selfPinging]) expect(socket.ws.readyState).toBe(WebSocket.OPEN);
    expect(appPinging.socket.all('pong').length).toBeGreaterThanOrEqual(5);
    answering.socket.send({ type: 'ping' });
    expect(await answering.socket.next('pong')).toEqual({ type: 'pong' });
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
    for (let i = 0; i < 4; i++) {
      await sleep(IDLE_TIMEOUT_MS / 2);
      socket.send({ type: 'ping' });
    }
    const stoppedAt = Date.now();
    const closed = await withTimeout(socket.closed, IDLE_TIMEOUT_MS * 3, 'idle close');
    expect(closed.code).toBe(4408);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS - 100);
  });
});
