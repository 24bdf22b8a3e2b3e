import { sleep, User, Workload } from './context';
import type { LiveSocket } from './socket';

/**
 * A user watching /ws/presence/: every frame it is shown goes into the history (the checker
 * rebuilds what each connection believes). It reloads every 5–20 s onto any instance.
 */
export class PresenceViewer {
  readonly proc: string;
  socket: LiveSocket | undefined;
  private finished = false;

  constructor(
    private readonly w: Workload,
    readonly user: User,
    name: string,
  ) {
    this.proc = `view:${name}`;
  }

  async run(): Promise<void> {
    for (let round = 0; !this.w.stopping && round < 100_000; round++) {
      if (!(await this.connect())) {
        await sleep(500);
        continue;
      }
      await Promise.race([sleep(this.w.random.int(5000, 20_000)), this.socket!.closed]);
      if (this.w.stopping) return;
      await this.socket?.close();
      await sleep(this.w.random.int(100, 1500));
    }
  }

  /** Opens a fresh presence connection (closing the old one): the final phase's reload. */
  async reopen(): Promise<boolean> {
    await this.socket?.close();
    return this.connect();
  }

  async stop(): Promise<void> {
    this.finished = true;
    await this.socket?.close();
  }

  private async connect(): Promise<boolean> {
    if (this.finished) return false;
    const opened = await this.w.open(this.proc, 'presence', '/ws/presence/', this.user.token);
    if (!opened) return false;
    this.socket = opened.socket;
    const conn = opened.socket.id;
    opened.socket.listen((frame) => {
      if (frame.type === 'presence_state') {
        const users = (frame.users as Array<{ user_id: string }>).map((user) => user.user_id);
        this.w.history.add({ type: 'presence', f: 'state', proc: this.proc, conn, viewer: this.user.id, users });
      } else if (frame.type === 'user_online' || frame.type === 'user_offline') {
        const event = frame.type === 'user_online' ? 'online' : 'offline';
        this.w.history.add({
          type: 'presence',
          f: event,
          proc: this.proc,
          conn,
          viewer: this.user.id,
          users: [frame.user_id],
        });
      }
    });
    return true;
  }
}
