import WebSocket from 'ws';
import type { ServerFrame, ServerFrameMap, ServerFrameType } from '@numerai/protocol';

/**
 * A real `ws` client that buffers every frame it receives, so tests can await
 * "the next frame of type X" without racing the server.
 */
export class TestSocket {
  readonly frames: ServerFrame[] = [];
  private cursor = 0;
  private waiters: Array<() => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.frames.push(JSON.parse(data.toString()) as ServerFrame);
      this.wake();
    });
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected HTTP ${res.statusCode}`)));
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        this.wake();
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame not yet consumed (optionally the next of `type`, skipping others). */
  async next<T extends ServerFrameType>(type?: T, timeoutMs = 5000): Promise<ServerFrameMap[T]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.frames.length) {
        const frame = this.frames[this.cursor++];
        if (!type || frame.type === type) return frame as ServerFrameMap[T];
      }
      if (this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`socket closed while waiting for ${type ?? 'a frame'}; got ${JSON.stringify(this.frames)}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${type ?? 'a frame'}; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Asserts nothing (or nothing of `type`) arrives within `ms`. */
  async expectSilence(ms = 300, type?: ServerFrameType): Promise<void> {
    const start = this.frames.length;
    await new Promise((resolve) => setTimeout(resolve, ms));
    const extra = this.frames.slice(start).filter((frame) => !type || frame.type === type);
    if (extra.length > 0) throw new Error(`expected no ${type ?? 'frames'}, got ${JSON.stringify(extra)}`);
  }

  /** Frames of `type` received so far, consumed or not. */
  all<T extends ServerFrameType>(type: T): ServerFrameMap[T][] {
    return this.frames.filter((frame) => frame.type === type) as ServerFrameMap[T][];
  }

  close(code = 1000): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code);
    return this.closed;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Opens a socket; resolves once the upgrade succeeded (refusals then arrive as an error frame + close). */
export async function connect(
  url: string,
  options: { token?: string; headers?: Record<string, string>; query?: Record<string, string> } = {},
): Promise<TestSocket> {
  const target = new URL(url);
  if (options.token) target.searchParams.set('token', options.token);
  for (const [key, value] of Object.entries(options.query ?? {})) target.searchParams.set(key, value);
  const socket = new TestSocket(new WebSocket(target, { headers: options.headers, perMessageDeflate: false }));
  await socket.opened;
  return socket;
}
