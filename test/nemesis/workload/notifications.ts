import { hash, sleep, User, Workload } from './context';
import { StreamReader } from './reader';
import { LiveSocket, rest } from './socket';

/** A user's resuming notification reader; now and then it marks one read (or all). */
export function notificationReader(w: Workload, user: User, name: string): StreamReader {
  let lastId: string | undefined;
  return new StreamReader(w, {
    proc: `ntf:${name}`,
    f: 'notifications',
    path: '/ws/notifications/',
    token: user.token,
    stream: `n:${user.id}`,
    frameType: 'notification',
    text: (data) => {
      lastId = String(data.id);
      return String(data.message);
    },
    beforeLeaving: async (socket) => {
      if (w.random.chance(0.3) && lastId) {
        w.history.add({ type: 'invoke', f: 'mark_read', proc: `ntf:${name}`, user: user.id, id: lastId });
        socket.send({ type: 'mark_read', notification_id: lastId });
      } else if (w.random.chance(0.1)) {
        w.history.add({ type: 'invoke', f: 'mark_all_read', proc: `ntf:${name}`, user: user.id });
        socket.send({ type: 'mark_all_read' });
      } else {
        return;
      }
      await sleep(100);
    },
  });
}

/**
 * A browser tab left open on /ws/notifications/: it never leaves by itself, reconnects only
 * when its connection drops, and records every `unread_count` it is shown. After the quiet
 * period its last count must equal the database's.
 */
export class NotificationTab {
  readonly proc: string;
  socket: LiveSocket | undefined;
  /** Set to false to keep the tab closed (the user went away). */
  wanted = true;

  constructor(
    private readonly w: Workload,
    readonly user: User,
    name: string,
  ) {
    this.proc = `tab:${name}`;
  }

  async run(): Promise<void> {
    for (let round = 0; round < 100_000 && !this.finished; round++) {
      if (!this.wanted) {
        await sleep(200);
        continue;
      }
      const opened = await this.w.open(this.proc, 'notifications', '/ws/notifications/', this.user.token);
      if (!opened) {
        await sleep(500);
        continue;
      }
      if (this.finished) {
        await opened.socket.close(); // stopped while connecting
        break;
      }
      this.socket = opened.socket;
      const conn = opened.socket.id;
      opened.socket.listen((frame) => {
        if (frame.type === 'unread_count') {
          this.w.history.add({ type: 'unread', proc: this.proc, conn, user: this.user.id, count: frame.count });
        }
      });
      await opened.socket.closed;
      this.socket = undefined;
      await sleep(this.w.random.int(100, 500));
    }
  }

  finished = false;

  /** Closes the tab for good. */
  async stop(): Promise<void> {
    this.finished = true;
    this.wanted = false;
    await this.socket?.close();
  }

  /** A page reload: the tab closes, and opens again by itself. */
  async reload(): Promise<void> {
    await this.socket?.close();
  }
}

/** An admin producing notifications through REST for the workload's users, on any instance. */
export class Notifier {
  readonly proc = 'notify';

  constructor(
    private readonly w: Workload,
    private readonly admin: User,
    private readonly users: User[],
  ) {}

  async run(): Promise<void> {
    for (let n = 1; !this.w.stopping && n < 100_000; n++) {
      const user = this.w.random.pick(this.users);
      const message = `notice ${n} (${this.w.random.int(0, 1e9)})`;
      const base = this.w.pickUrl();
      this.w.history.add({
        type: 'invoke',
        f: 'notify',
        proc: this.proc,
        stream: `n:${user.id}`,
        n,
        hash: hash(message),
        inst: base,
      });
      const res = await rest<{ id: string; seq?: number }>(base, 'POST', '/api/admin/notifications', {
        token: this.admin.token,
        body: { user_id: user.id, title: 'Nemesis', message, notification_type: 'system' },
      });
      const outcome = res.status === 201 ? 'ok' : res.status >= 400 && res.status < 500 ? 'fail' : 'info';
      this.w.history.add({
        type: outcome,
        f: 'notify',
        proc: this.proc,
        stream: `n:${user.id}`,
        n,
        id: res.status === 201 ? res.body.id : undefined,
        status: res.status,
      });
      await sleep(this.w.random.int(200, 700));
    }
  }
}
