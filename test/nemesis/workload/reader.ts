import type { LiveSocket } from './socket';
import { hash, sleep, Workload } from './context';

export interface StreamReaderOptions {
  proc: string;
  /** The endpoint kind in the history: chat or notifications. */
  f: 'chat' | 'notifications';
  path: string;
  token: string;
  /** The stream's name in the history: `c:<consultation>` or `n:<user>`. */
  stream: string;
  frameType: 'chat_message' | 'notification';
  /** The text of a frame's data, hashed into the history. */
  text: (data: Record<string, unknown>) => string;
  /** An instance not to read from (the writer's), if any. */
  avoid?: () => string | undefined;
  /** Runs before a connection is left (e.g. moves a read marker), with the resume point. */
  beforeLeaving?: (socket: LiveSocket, at: { seq: number; id: string } | undefined) => Promise<void>;
  /** Sees every other frame (unread counts). */
  other?: (socket: LiveSocket, frame: Record<string, unknown>) => void;
}

/**
 * A reader on a bad network: holds each connection 2–10 s, then closes it (or drops it without
 * a close handshake) and resumes with `last_seq` = the highest seq it holds with no gap below,
 * on any instance. Every frame goes into the history; the checker judges them.
 */
export class StreamReader {
  private resume = 0;
  private resumeId: string | undefined;

  constructor(
    private readonly w: Workload,
    private readonly o: StreamReaderOptions,
  ) {}

  get proc(): string {
    return this.o.proc;
  }

  async run(): Promise<void> {
    for (let round = 0; !this.w.stopping && round < 100_000; round++) {
      const opened = await this.connect(this.o.avoid?.());
      if (!opened) {
        await sleep(500);
        continue;
      }
      const { socket } = opened;
      await Promise.race([sleep(this.w.random.int(2000, 10_000)), socket.closed]);
      if (socket.open) {
        await this.o.beforeLeaving?.(socket, this.resumeId ? { seq: this.resume, id: this.resumeId } : undefined);
      }
      if (this.w.random.chance(0.5)) await socket.close();
      else socket.terminate();
      await sleep(this.w.random.int(100, 600));
    }
  }

  /** After the quiet period: one more connection that reads its replay to the end. */
  async finish(): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const opened = await this.connect(undefined);
      if (!opened) continue;
      const done = await Promise.race([opened.replayed, sleep(15_000).then(() => false)]);
      await opened.socket.close();
      if (done) return true;
    }
    return false;
  }

  private async connect(avoid: string | undefined) {
    const { proc, stream } = this.o;
    const opened = await this.w.open(
      proc,
      this.o.f,
      this.o.path,
      this.o.token,
      { last_seq: String(this.resume) },
      avoid,
    );
    if (!opened) return undefined;
    const conn = opened.socket.id;
    let replaying = true;
    let replayedResolve: (value: boolean) => void = () => undefined;
    const replayed = new Promise<boolean>((resolve) => (replayedResolve = resolve));
    void opened.socket.closed.then(() => replayedResolve(false));
    opened.socket.listen((frame) => {
      if (frame.type === 'replay_complete') {
        replaying = false;
        this.w.history.add({
          type: 'replay_complete',
          proc,
          conn,
          stream,
          count: frame.count,
          has_more: frame.has_more,
        });
        replayedResolve(true);
        return;
      }
      if (frame.type !== this.o.frameType) {
        this.o.other?.(opened.socket, frame);
        return;
      }
      const data = frame.data as Record<string, unknown> & { id: string; seq: number };
      this.w.history.add({
        type: 'recv',
        f: this.o.f,
        proc,
        conn,
        stream,
        seq: data.seq,
        id: data.id,
        hash: hash(this.o.text(data)),
        replay: replaying,
      });
      if (data.seq === this.resume + 1) {
        this.resume = data.seq;
        this.resumeId = data.id;
      }
    });
    return { ...opened, replayed };
  }
}
