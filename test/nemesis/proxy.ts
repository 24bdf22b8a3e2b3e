import { connect, createServer, Server, Socket } from 'node:net';

/** One direction of a link: `up` is instance → server, `down` server → instance. */
export type Direction = 'up' | 'down';

/**
 * Bytes of one direction of one connection, held until due. A partition holds them (they are
 * not dropped: TCP would retransmit them once the path heals, and dropping bytes mid-stream
 * would corrupt the Redis/PostgreSQL protocol instead of delaying it); latency delays each chunk.
 */
class Pipe {
  private readonly queue: Array<{ chunk: Buffer; due: number }> = [];
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly to: Socket,
    private readonly link: Proxy,
    private readonly direction: Direction,
  ) {}

  push(chunk: Buffer): void {
    const last = this.queue.at(-1)?.due ?? 0;
    this.queue.push({ chunk, due: Math.max(Date.now() + this.link.latencyMs, last) });
    this.pump();
  }

  end(): void {
    this.ended = true;
    this.pump();
  }

  pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.link.blocked[this.direction] || this.to.destroyed) return;
    const now = Date.now();
    while (this.queue.length > 0 && this.queue[0].due <= now) this.to.write(this.queue.shift()!.chunk);
    if (this.queue.length > 0) {
      this.timer = setTimeout(() => this.pump(), this.queue[0].due - now);
    } else if (this.ended) {
      this.to.end();
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }
}

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
  pipes: Pipe[];
  /** What the client sent before the upstream connection existed (accepted during a partition). */
  early: Buffer[];
}

/**
 * A TCP proxy for one link (one instance → PostgreSQL, or → one Redis node) that the nemesis
 * controls: latency on every chunk, a partition of one direction or both, and a reset of every
 * open connection. A connection accepted during a partition reaches the server only once the
 * path is back (a SYN that is dropped keeps the connect pending).
 */
export class Proxy {
  latencyMs = 0;
  readonly blocked: Record<Direction, boolean> = { up: false, down: false };
  private readonly pairs = new Set<Pair>();
  private readonly server: Server;

  private constructor(
    readonly name: string,
    readonly port: number,
    readonly targetPort: number,
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  static async start(name: string, port: number, targetPort: number): Promise<Proxy> {
    const proxy = new Proxy(name, port, targetPort);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(port, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get partitioned(): boolean {
    return this.blocked.up || this.blocked.down;
  }

  partition(direction: Direction | 'both'): void {
    if (direction !== 'down') this.blocked.up = true;
    if (direction !== 'up') this.blocked.down = true;
  }

  /** Back to a clean link: no partition, no latency. */
  heal(): void {
    this.latencyMs = 0;
    this.unblock();
  }

  /** The partition ends: held bytes flow and held connects proceed. */
  unblock(): void {
    this.blocked.up = false;
    this.blocked.down = false;
    for (const pair of this.pairs) {
      if (!pair.upstream) this.dial(pair);
      for (const pipe of pair.pipes) pipe.pump();
    }
  }

  /** Every open connection gets a TCP RST on both sides (ECONNRESET). */
  reset(): number {
    const count = this.pairs.size;
    for (const pair of [...this.pairs]) this.drop(pair, true);
    return count;
  }

  async close(): Promise<void> {
    for (const pair of [...this.pairs]) this.drop(pair, false);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const pair: Pair = { client, upstream: undefined, pipes: [], early: [] };
    this.pairs.add(pair);
    client.setNoDelay(true);
    client.on('error', () => this.drop(pair, false));
    client.on('close', () => this.drop(pair, false));
    client.on('data', (chunk: Buffer) => (pair.pipes[0] ? pair.pipes[0].push(chunk) : pair.early.push(chunk)));
    if (!this.partitioned) this.dial(pair);
  }

  private dial(pair: Pair): void {
    const upstream = connect(this.targetPort, '127.0.0.1');
    upstream.setNoDelay(true);
    pair.upstream = upstream;
    const up = new Pipe(upstream, this, 'up');
    const down = new Pipe(pair.client, this, 'down');
    pair.pipes = [up, down];
    for (const chunk of pair.early.splice(0)) up.push(chunk);
    upstream.on('data', (chunk: Buffer) => down.push(chunk));
    pair.client.on('end', () => up.end());
    upstream.on('end', () => down.end());
    // The server is gone (refused, killed): the instance sees its connection reset, as it would.
    upstream.on('error', () => this.drop(pair, true));
    upstream.on('close', () => this.drop(pair, false));
  }

  private drop(pair: Pair, reset: boolean): void {
    if (!this.pairs.delete(pair)) return;
    for (const pipe of pair.pipes) pipe.stop();
    for (const socket of [pair.client, pair.upstream]) {
      if (!socket || socket.destroyed) continue;
      if (reset) socket.resetAndDestroy();
      else socket.destroy();
    }
  }
}
