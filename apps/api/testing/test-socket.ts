import WebSocket from 'ws';
import type { ServerFrame, ServerFrameMap, ServerFrameType } from '@numerai/protocol';
import { sleep } from './wait-for';

/**
 * A real `ws` client that buffers every frame it receives, so tests can await
 * "the next frame of type X" without racing the server.
 */
export class TestSocket {
  readonly frames: ServerFrame[] = [];
  private cursor = 0;
  /** Frames past the cursor already taken by `nextMatching()`; `next()` steps over them. */
  private readonly takenAhead = new Set<ServerFrame>();
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
    const what = type ?? 'a frame';
    for (;;) {
      while (this.cursor < this.frames.length) {
        const frame = this.frames[this.cursor++];
        if (this.takenAhead.delete(frame)) continue;
        if (!type || frame.type === type) return frame as ServerFrameMap[T];
      }
      await this.moreFrames(deadline, what);
    }
  }

  /**
   * The first frame not yet consumed of `type` that `matches` (e.g. the echo of one's own
   * message, by its client_id). Frames before it are left for `next()`: another participant's
   * message that overtook the echo is still the next chat_message.
   */
  async nextMatching<T extends ServerFrameType>(
    type: T,
    matches: (frame: ServerFrameMap[T]) => boolean,
    description: string,
    timeoutMs = 5000,
  ): Promise<ServerFrameMap[T]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let index = this.cursor; index < this.frames.length; index++) {
        const frame = this.frames[index];
        if (this.takenAhead.has(frame) || frame.type !== type || !matches(frame as ServerFrameMap[T])) continue;
        if (index === this.cursor) this.cursor++;
        else this.takenAhead.add(frame);
        return frame as ServerFrameMap[T];
      }
      await this.moreFrames(deadline, description);
    }
  }

  /** Waits for another frame, or throws once the socket is closed or the deadline has passed. */
  private async moreFrames(deadline: number, what: string): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) {
      throw new Error(`socket closed while waiting for ${what}; got ${JSON.stringify(this.frames)}`);
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames)}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Asserts that nothing (or nothing of `type`) arrived from now until the answer to a marker
   * sent now: the server writes a connection's frames in order, so whatever it sent this socket
   * before it answered the marker is in by then. The marker is a `ping` frame (its `pong` is taken
   * out of `frames`), or with `{ marker: 'control' }` a WebSocket protocol ping, which spends no
   * rate budget. A socket that is closed meanwhile needs no marker: nothing more can come.
   *
   * The older form `expectSilence(ms, type?)` waits `ms` first and marks with a protocol ping (it
   * spends no budget, so suites that count their frames keep their numbers). Only test/scale-out
   * still uses it; a new test sends a marker instead of waiting.
   */
  async expectSilence(
    typeOrMs?: ServerFrameType | number,
    typeOrOptions?: ServerFrameType | { marker?: 'frame' | 'control' },
  ): Promise<void> {
    const start = this.frames.length;
    if (typeof typeOrMs === 'number') {
      if (typeOrMs > 0) await sleep(typeOrMs);
      await this.roundTrip(this.frames.length, 'control', 5000);
      return this.assertNone(start, typeOrOptions as ServerFrameType | undefined);
    }
    const options = typeof typeOrOptions === 'object' ? typeOrOptions : {};
    await this.roundTrip(start, options.marker ?? 'frame', 5000);
    this.assertNone(start, typeOrMs);
  }

  private assertNone(start: number, type: ServerFrameType | undefined): void {
    const extra = this.frames.slice(start).filter((frame) => !type || frame.type === type);
    if (extra.length > 0) throw new Error(`expected no ${type ?? 'frames'}, got ${JSON.stringify(extra)}`);
  }

  /** Sends a marker and waits for its answer (or the close). */
  private async roundTrip(from: number, marker: 'frame' | 'control', timeoutMs: number): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const closed = this.closed.then(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to the silence marker within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      if (marker === 'control') {
        const pong = new Promise<void>((resolve) => this.ws.once('pong', () => resolve()));
        this.ws.ping();
        await Promise.race([pong, closed, timeout]);
        return;
      }
      this.send({ type: 'ping' });
      const answered = (async () => {
        for (;;) {
          const at = this.frames.findIndex((frame, index) => index >= from && frame.type === 'pong');
          if (at >= 0) {
            // The marker's answer is no frame of the test's: take it out so `next()` never sees it.
            this.frames.splice(at, 1);
            if (this.cursor > at) this.cursor -= 1;
            return;
          }
          if (this.ws.readyState === WebSocket.CLOSED) return;
          await new Promise<void>((resolve) => this.waiters.push(resolve));
        }
      })();
      await Promise.race([answered, closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
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
