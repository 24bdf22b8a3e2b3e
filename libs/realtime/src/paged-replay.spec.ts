import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@numerai/config';
import { captureLogs } from '@numerai/logging';
import type { ServerFrame, ServerFrameMap } from '@numerai/protocol';
import { RequestBudget, WindowCounterStorage } from '@numerai/rate-limit';
import { ClientConnection, SocketWithConnection } from './client-connection';
import { PagedReplay, type ResumePlan } from './paged-replay';
import { WsError } from './ws-error';

type NotificationData = ServerFrameMap['notification']['data'];

/** A stand-in for the `ws` socket (the transport only): records what is sent and how it is closed. */
function open() {
  const sent: Record<string, unknown>[] = [];
  const closes: { code: number; reason: string }[] = [];
  const socket: { readyState: number } & Record<string, unknown> = {
    readyState: 1,
    bufferedAmount: 0,
    send: (payload: Buffer, _options?: object, written?: () => void) => {
      sent.push(JSON.parse(payload.toString()) as Record<string, unknown>);
      if (written) setImmediate(written);
    },
    close: (code: number, reason: string) => {
      closes.push({ code, reason });
      socket.readyState = 2; // CLOSING, as ws does
    },
    terminate: () => {
      socket.readyState = 3;
    },
    once: () => undefined,
    off: () => undefined,
  };
  const user = { id: 'u', name: 'U', role: 'user' as const, exp: 2e9, sid: 's' };
  const connection = new ClientConnection(
    'c',
    socket as unknown as SocketWithConnection,
    'notifications',
    user,
    'room',
    undefined,
    Date.now(),
  );
  return { connection, socket, sent, closes };
}

const notification = (seq: number): NotificationData => ({
  id: `n${seq}`,
  notification_type: 'system',
  title: 'T',
  message: 'M',
  data: {},
  is_read: false,
  created_at: '',
  seq,
});
const live = (connection: ClientConnection, seq: number) => {
  const frame: ServerFrame = { type: 'notification', data: notification(seq) };
  connection.deliver(frame, Buffer.from(JSON.stringify(frame)));
};
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const seqs = (sent: Record<string, unknown>[]) =>
  sent.filter((f) => f.type === 'notification').map((f) => (f.data as { seq: number }).seq);

describe('PagedReplay when the replay fails', () => {
  let dataDir: string;
  let replay: PagedReplay;
  let logs: string[];
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'numerai-replay-'));
    const config = loadConfig({ JWT_SECRET: 'x'.repeat(32), DATA_DIR: dataDir });
    const captured = captureLogs();
    logs = captured.lines;
    replay = new PagedReplay(config, new RequestBudget(new WindowCounterStorage(), config), captured.loggers);
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  /** A stream of 200 stored items, live from 201; `read` fails from its `failAt`-th call on. */
  const plan = (failAt: number, overrides: Partial<ResumePlan<NotificationData>> = {}) => {
    let reads = 0;
    const result: ResumePlan<NotificationData> = {
      type: 'notification',
      liveFrom: Promise.resolve(201),
      afterSeq: async () => 0,
      read: async (after, limit) => {
        if (++reads >= failAt) throw new Error('Connection terminated unexpectedly');
        return range(after + 1, Math.min(after + limit, 200)).map(notification);
      },
      ...overrides,
    };
    return result;
  };

  it('sends the pages read before the failure, never a held live frame past them, no replay_complete, and closes with 1011 once', async () => {
    const { connection, sent, closes } = open();
    const resuming = replay.resume(connection, plan(2)).catch((error: unknown) => error);
    // Published while the replay runs: held, and past what it will manage to send.
    live(connection, 201);
    live(connection, 202);
    const outcome = await resuming;
    connection.release(); // what the admission does once the hook returns
    live(connection, 203);

    expect(seqs(sent)).toEqual(range(1, 50)); // the first page, in order, and nothing after it
    expect(sent.some((frame) => frame.type === 'replay_complete')).toBe(false);
    expect(closes).toEqual([{ code: 1011, reason: expect.any(String) }]);
    expect(outcome).toBeUndefined(); // handled here: no `internal` error frame into a closing socket
    const logged = logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toEqual([
      expect.objectContaining({ level: 'error', err: expect.objectContaining({ type: 'Error' }) }),
    ]);
  });

  it('closes with 1011, sending nothing held, when what comes before the replay fails', async () => {
    const { connection, sent, closes } = open();
    const resuming = replay
      .resume(
        connection,
        plan(1, {
          before: async () => {
            throw new Error('the unread count could not be read');
          },
        }),
      )
      .catch((error: unknown) => error);
    live(connection, 201);
    expect(await resuming).toBeUndefined();
    connection.release();
    expect(sent).toEqual([]);
    expect(closes.map((close) => close.code)).toEqual([1011]);
  });

  it('does not throw or close again when the client closed the socket while the page was read', async () => {
    const { connection, socket, sent, closes } = open();
    const resuming = replay
      .resume(
        connection,
        plan(Infinity, {
          read: async () => {
            socket.readyState = 3; // the client went away meanwhile
            throw new Error('Connection terminated unexpectedly');
          },
        }),
      )
      .catch((error: unknown) => error);
    live(connection, 201);
    expect(await resuming).toBeUndefined();
    expect(sent).toEqual([]);
    expect(closes).toEqual([]);
  });

  it('still answers a refused resume point with its error and lets live frames through, as documented', async () => {
    const { connection, sent, closes } = open();
    const refusal = new WsError('not_found', 'last_notification_id is not one of your notifications');
    const resuming = replay
      .resume(
        connection,
        plan(Infinity, {
          afterSeq: async () => {
            throw refusal;
          },
        }),
      )
      .catch((error: unknown) => error);
    live(connection, 201);
    expect(await resuming).toBe(refusal);
    expect(seqs(sent)).toEqual([201]);
    expect(closes).toEqual([]);
  });
});
