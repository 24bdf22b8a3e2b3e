import WebSocket from 'ws';
import type { ServerFrame } from '@numerai/protocol';

type Positioned = { id: string; seq?: number };

/**
 * A phone on a bad network: connects with `?last_seq=<resume point>`, reads for 20–80 ms,
 * drops the connection without a close handshake, and reconnects — to the next of `urls`
 * each time — from the highest position it holds without a gap. Records everything it got
 * and every frame that broke the promise "in seq order, no gap, no duplicate" on one connection.
 */
export class ResumingReader {
  /** Highest position held with nothing missing below it. */
  resume = 0;
  readonly received = new Map<string, number>();
  readonly violations: string[] = [];
  connections = 0;
  /** Frames received live (after replay_complete) and in replays. */
  live = 0;
  replayed = 0;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly urls: string[],
    private readonly token: string,
    private readonly frameType: 'chat_message' | 'notification',
  ) {}

  start(): void {
    this.running = this.loop();
  }

  /** Stops reconnecting, then connects once more and reads until its replay is complete. */
  async finish(): Promise<void> {
    this.stopped = true;
    await this.running;
    await this.connectOnce(this.urls[0], undefined);
  }

  private async loop(): Promise<void> {
    for (let i = 0; !this.stopped; i++) {
      await this.connectOnce(this.urls[i % this.urls.length], 20 + Math.random() * 60);
    }
  }

  /** One connection: for `holdMs`, or (undefined) until replay_complete. */
  private connectOnce(base: string, holdMs: number | undefined): Promise<void> {
    const url = new URL(base);
    url.searchParams.set('token', this.token);
    url.searchParams.set('last_seq', String(this.resume));
    this.connections++;
    let expected = this.resume + 1;
    let replaying = true;
    return new Promise((resolve) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        ws.removeAllListeners('message');
        ws.terminate();
        resolve();
      };
      ws.on('error', () => undefined);
      ws.on('close', done);
      ws.on('open', () => {
        if (holdMs !== undefined) timer = setTimeout(done, holdMs);
      });
      ws.on('message', (raw) => {
        const frame = JSON.parse(raw.toString()) as ServerFrame;
        if (frame.type === 'replay_complete') {
          replaying = false;
          if (frame.has_more) this.violations.push(`replay_complete with has_more after ${frame.count}`);
          if (holdMs === undefined) done();
          return;
        }
        if (frame.type === 'error') {
          this.violations.push(`error frame: ${frame.code} ${frame.message}`);
          return;
        }
        if (frame.type !== this.frameType) return;
        const data = (frame as { data: Positioned }).data;
        if (replaying) this.replayed++;
        else this.live++;
        if (data.seq !== expected) {
          this.violations.push(
            `${replaying ? 'replay' : 'live'}: got seq ${data.seq} where ${expected} was due (connection ${this.connections})`,
          );
          return;
        }
        expected++;
        this.resume = data.seq;
        this.received.set(data.id, data.seq);
      });
    });
  }
}

/**
 * Runs `step` back to back until `stop()` resolves or a step fails (the test then fails on it:
 * no retry, so no pause before one); returns how many steps succeeded and the failure if any.
 */
export function keepDoing(step: () => Promise<void>) {
  let stopped = false;
  let count = 0;
  let failure: unknown;
  const running = (async () => {
    while (!stopped && failure === undefined) {
      try {
        await step();
        count++;
      } catch (error) {
        failure = error;
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      await running;
      return { count, failure };
    },
  };
}
