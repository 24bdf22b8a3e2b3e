/**
 * One client connection of the load generator, for either protocol. Receiving is the load
 * generator's hot path, so the NumerAI/raw-ws client never JSON-parses a chat frame: it finds the
 * send timestamp the sender embedded at the start of the content (`b|<ms>|…`) with a buffer search.
 */
import { io, Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { ChannelPath, ConnSpec, Protocol } from '../lib/types';

export interface ConnEvents {
  /** A chat_message whose content the bench sent: `sentAt` is the sender's wall-clock ms. */
  chat(conn: Conn, sentAt: number): void;
  notification(conn: Conn): void;
  errorFrame(conn: Conn, code: string): void;
  closed(conn: Conn, code: number): void;
}

export interface Conn {
  readonly spec: ConnSpec;
  readonly protocol: Protocol;
  open: boolean;
  sendChat(content: string): void;
  /** Bytes (ws) or packets (Socket.IO) queued in the client and not yet written to the socket. */
  backlog(): number;
  close(): void;
  terminate(): void;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on this machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

const MARK = Buffer.from('"content":"b|');
const TYPE_NOTIFICATION = Buffer.from('"type":"notification"');
const TYPE_ERROR = Buffer.from('"type":"error"');
const PIPE = 0x7c;

export function chatPath(path: ChannelPath, spec: ConnSpec): string {
  const token = encodeURIComponent(spec.token);
  return path === 'chat' ? `/ws/chat/${spec.room}/?token=${token}` : `/ws/${path}/?token=${token}`;
}

/** Opens one connection; resolves once the server's first frame (connection_established) arrived. */
export function openConn(
  protocol: Protocol,
  port: number,
  path: ChannelPath,
  spec: ConnSpec,
  events: ConnEvents,
  timeoutMs: number,
): Promise<Conn> {
  return protocol === 'ws' ? openWs(port, path, spec, events, timeoutMs) : openSocketIo(port, spec, events, timeoutMs);
}

function openWs(port: number, path: ChannelPath, spec: ConnSpec, events: ConnEvents, timeoutMs: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    // Like a browser, the client offers permessage-deflate; whether it is used is the server's choice.
    const ws = new WebSocket(`ws://127.0.0.1:${port}${chatPath(path, spec)}`, { handshakeTimeout: timeoutMs });
    let established = false;
    const timer = setTimeout(() => fail('timeout'), timeoutMs);
    const conn: Conn = {
      spec,
      protocol: 'ws',
      open: false,
      sendChat(content) {
        ws.send(`{"type":"chat_message","message":"${content}"}`);
      },
      backlog: () => ws.bufferedAmount,
      close: () => ws.close(1000),
      terminate: () => ws.terminate(),
    };
    function fail(reason: string): void {
      if (established) return;
      established = true;
      clearTimeout(timer);
      ws.terminate();
      reject(new Error(reason));
    }
    ws.on('unexpected-response', (_req, res) => fail(`HTTP ${res.statusCode}`));
    ws.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
    ws.on('close', (code, reason) => {
      conn.open = false;
      if (!established) fail(`close ${code}${reason.length ? ` ${reason.toString()}` : ''}`);
      else events.closed(conn, code);
    });
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return;
      if (!established) {
        if (data.includes('"type":"error"')) {
          const frame = safeParse(data);
          fail(`error frame ${String(frame?.code ?? '')}`);
          return;
        }
        established = true;
        conn.open = true;
        clearTimeout(timer);
        resolve(conn);
        return;
      }
      const at = data.indexOf(MARK);
      if (at >= 0) {
        const start = at + MARK.length;
        const end = data.indexOf(PIPE, start);
        events.chat(conn, Number(data.toString('latin1', start, end)));
      } else if (data.includes(TYPE_NOTIFICATION)) {
        events.notification(conn);
      } else if (data.includes(TYPE_ERROR)) {
        events.errorFrame(conn, String(safeParse(data)?.code ?? 'unknown'));
      }
    });
  });
}

function openSocketIo(port: number, spec: ConnSpec, events: ConnEvents, timeoutMs: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket: Socket = io(`http://127.0.0.1:${port}`, {
      transports: ['websocket'],
      auth: { token: spec.token },
      query: { consultation_id: spec.room },
      reconnection: false,
      forceNew: true,
      timeout: timeoutMs,
    });
    let established = false;
    const timer = setTimeout(() => fail('timeout'), timeoutMs);
    const conn: Conn = {
      spec,
      protocol: 'socketio',
      open: false,
      sendChat(content) {
        socket.send({ type: 'chat_message', message: content });
      },
      backlog: () => (socket.io.engine?.writeBuffer?.length ?? 0) * 100,
      close: () => socket.disconnect(),
      terminate: () => socket.disconnect(),
    };
    function fail(reason: string): void {
      if (established) return;
      established = true;
      clearTimeout(timer);
      socket.disconnect();
      reject(new Error(reason));
    }
    socket.on('connect_error', (error: Error) => fail(`connect_error ${error.message}`));
    socket.on('disconnect', (reason: string) => {
      conn.open = false;
      if (!established) fail(`disconnect ${reason}`);
      else events.closed(conn, reason === 'io client disconnect' ? 1000 : 1006);
    });
    socket.on('message', (frame: { type?: string; code?: string; data?: { content?: string } }) => {
      if (!established) {
        established = true;
        conn.open = true;
        clearTimeout(timer);
        resolve(conn);
        return;
      }
      const content = frame?.data?.content;
      if (frame?.type === 'chat_message' && typeof content === 'string' && content.startsWith('b|')) {
        events.chat(conn, Number(content.slice(2, content.indexOf('|', 2))));
      } else if (frame?.type === 'notification') {
        events.notification(conn);
      } else if (frame?.type === 'error') {
        events.errorFrame(conn, String(frame.code ?? 'unknown'));
      }
    });
  });
}

function safeParse(data: Buffer): { code?: unknown } | undefined {
  try {
    return JSON.parse(data.toString()) as { code?: unknown };
  } catch {
    return undefined;
  }
}
