import WebSocket from 'ws';

/** What a server frame looks like to the generator: a `type` and whatever else it carries. */
export type Frame = { type: string; [field: string]: unknown };

/** How a connection attempt ended: established (open), refused (error frame + close), or nothing. */
export type Opened = { ok: true; socket: LiveSocket } | { ok: false; reason: string; code?: number };

let connections = 0;

/**
 * A real `ws` connection of a generator client: frames go to `onFrame` as they come; `closed`
 * resolves with the close code (1006 when the connection broke). `id` names it in the history.
 */
export class LiveSocket {
  readonly id = `k${++connections}`;
  readonly closed: Promise<number>;
  private onFrame: (frame: Frame) => void = () => undefined;
  /** Frames that came in the same read as `connection_established`, before `listen`. */
  private readonly early: Frame[] = [];
  private closeCode: number | undefined;

  private constructor(private readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.once('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
    ws.on('message', (raw, binary) => {
      if (binary) return;
      this.onFrame(JSON.parse(raw.toString()) as Frame);
    });
  }

  /** Every frame after `connection_established`, those already in first. */
  listen(handler: (frame: Frame) => void): void {
    this.onFrame = handler;
    for (const frame of this.early.splice(0)) handler(frame);
  }

  get open(): boolean {
    return this.closeCode === undefined && this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Connects and waits for `connection_established` (or a refusal) for at most `timeoutMs`: a
   * paused instance accepts TCP and never answers, so every step is bounded.
   */
  static connect(url: string, timeoutMs = 4000): Promise<Opened> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
      const socket = new LiveSocket(ws);
      let settled = false;
      const finish = (result: Opened) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!result.ok) ws.terminate();
        resolve(result);
      };
      const timer = setTimeout(() => finish({ ok: false, reason: 'timeout' }), timeoutMs + 500);
      ws.on('error', (error) => finish({ ok: false, reason: error.message }));
      void socket.closed.then((code) => finish({ ok: false, reason: 'closed', code }));
      socket.onFrame = (frame) => {
        if (frame.type === 'connection_established') {
          socket.onFrame = (next) => socket.early.push(next);
          finish({ ok: true, socket });
        } else if (frame.type === 'error' && !settled) {
          void socket.closed.then((code) => finish({ ok: false, reason: String(frame.code), code }));
          setTimeout(() => finish({ ok: false, reason: String(frame.code) }), 1500);
        }
      };
    });
  }

  send(frame: Frame): boolean {
    if (!this.open) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** A clean close (1000), bounded: a paused peer never answers the handshake. */
  async close(): Promise<number> {
    if (this.closeCode !== undefined) return this.closeCode;
    this.ws.close(1000);
    const timer = setTimeout(() => this.ws.terminate(), 2000);
    const code = await this.closed;
    clearTimeout(timer);
    return code;
  }

  /** Drops the connection without a close handshake (a phone losing its network). */
  terminate(): void {
    this.ws.terminate();
  }
}

/** REST with a bound on the wait; `status` 0 means no answer (the outcome is unknown). */
export async function rest<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { connection: 'close' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: response.status, body: body as T };
  } catch {
    return { status: 0, body: undefined as T };
  }
}
