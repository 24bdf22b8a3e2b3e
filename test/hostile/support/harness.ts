import { connect as netConnect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { ERROR_CODES, type ServerFrame } from '@numerai/protocol';
import { http } from '../../support/http';
import { waitFor } from '../../support/wait-for';
import type { TestServer } from '../../support/server';

/** Row counts of everything a client frame could change, read through the app's own DataSource. */
export interface DbCounts {
  users: number;
  consultations: number;
  chat_messages: number;
  chat_read_markers: number;
  notifications: number;
  unread_notifications: number;
}

export async function dbCounts(server: TestServer): Promise<DbCounts> {
  const db = server.app.get(DataSource);
  const count = async (sql: string) => Number((await db.query(sql))[0].n);
  return {
    users: await count('SELECT COUNT(*) AS n FROM users'),
    consultations: await count('SELECT COUNT(*) AS n FROM consultations'),
    chat_messages: await count('SELECT COUNT(*) AS n FROM chat_messages'),
    chat_read_markers: await count('SELECT COUNT(*) AS n FROM chat_read_markers'),
    notifications: await count('SELECT COUNT(*) AS n FROM notifications'),
    unread_notifications: await count('SELECT COUNT(*) AS n FROM notifications WHERE is_read = false'),
  };
}

export async function healthStatus(server: Pick<TestServer, 'httpUrl'>): Promise<number> {
  return (await http(server.httpUrl, 'GET', '/health')).status;
}

/** True when `frame` is an `error` frame exactly as protocol.md shapes it, with a known code. */
export function isProtocolError(frame: ServerFrame): boolean {
  if (frame.type !== 'error') return false;
  const keys = Object.keys(frame).filter((key) => !['type', 'code', 'message', 'ref', 'retry_after_ms'].includes(key));
  return (
    keys.length === 0 &&
    (ERROR_CODES as readonly string[]).includes(frame.code) &&
    typeof frame.message === 'string' &&
    (frame.ref === undefined || typeof frame.ref === 'string')
  );
}

let gcFn: (() => void) | undefined;
/** A full GC (jest runs without --expose-gc; V8 lets a process turn it on for itself). */
export function collectGarbage(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
}

/** Heap and off-heap buffers of this process after GC: the server's memory when it runs in-process. */
export function memoryAfterGc(): { heapUsed: number; arrayBuffers: number; external: number; rss: number } {
  collectGarbage();
  const { heapUsed, arrayBuffers, external, rss } = process.memoryUsage();
  return { heapUsed, arrayBuffers, external, rss };
}

export const MB = 1024 * 1024;
export const fmtMb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

/** Resolves with how an upgrade attempt ended: HTTP status before the upgrade, or the frames and close code after. */
export interface UpgradeOutcome {
  httpStatus?: number;
  frames: ServerFrame[];
  closeCode?: number;
  error?: string;
  ms: number;
}

export function attemptUpgrade(
  url: string,
  options: { headers?: Record<string, string>; localAddress?: string; keepOpenMs?: number; timeoutMs?: number } = {},
): Promise<UpgradeOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const frames: ServerFrame[] = [];
    const ws = new WebSocket(url, {
      headers: options.headers,
      localAddress: options.localAddress,
      perMessageDeflate: false,
      handshakeTimeout: options.timeoutMs ?? 10_000,
    });
    let settled = false;
    const finish = (extra: Partial<UpgradeOutcome>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ frames, ms: Date.now() - started, ...extra });
    };
    const timer = setTimeout(() => {
      ws.terminate();
      finish({ error: 'timeout' });
    }, options.timeoutMs ?? 10_000);
    ws.on('unexpected-response', (_request, response) => {
      response.resume();
      finish({ httpStatus: response.statusCode });
      ws.terminate();
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) frames.push(JSON.parse(data.toString()) as ServerFrame);
      // An accepted connection: its first frame is connection_established; close it ourselves after keepOpenMs.
      if (frames.length === 1 && frames[0].type === 'connection_established') {
        setTimeout(() => ws.close(1000), options.keepOpenMs ?? 0);
      }
    });
    ws.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
    ws.on('close', (code) => finish({ closeCode: code }));
  });
}

/**
 * `waitFor` for a suite that reports: true once `check` holds, false if it never did within
 * `timeoutMs` — then the row and the assertions after it say what was seen instead of a bare timeout.
 */
export function settles(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50) {
  return waitFor(what, check, timeoutMs, everyMs).then(
    () => true,
    () => false,
  );
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index], index);
      }
    }),
  );
  return results;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** How a half-sent request ended: when the server closed it (ms after connecting) and whether it said 429 first. */
export interface HalfOpenOutcome {
  closedAfterMs: number;
  answered429: boolean;
}

/**
 * A slowloris client: connects, sends the start of a WebSocket upgrade without the blank
 * line that ends the headers, and waits for the server to give up on it. `connected`
 * resolves once the TCP connection is up; `outcome` once the server closed it.
 */
export function halfOpenUpgrade(
  port: number,
  path: string,
  localAddress = '127.0.0.1',
): { connected: Promise<void>; outcome: Promise<HalfOpenOutcome>; destroy(): void } {
  const socket = netConnect({ host: '127.0.0.1', port, localAddress });
  let started = Date.now();
  let received = '';
  const connected = new Promise<void>((resolve) =>
    socket.once('connect', () => {
      started = Date.now();
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n',
      );
      resolve();
    }),
  );
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const outcome = new Promise<HalfOpenOutcome>((resolve) =>
    socket.once('close', () =>
      resolve({ closedAfterMs: Date.now() - started, answered429: received.startsWith('HTTP/1.1 429') }),
    ),
  );
  return { connected, outcome, destroy: () => socket.destroy() };
}
