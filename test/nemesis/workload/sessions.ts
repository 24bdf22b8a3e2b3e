import { sleep, User, Workload } from './context';
import { LiveSocket, rest } from './socket';

type Login = { access_token: string; refresh_token: string };

/**
 * Every 10–25 s a user logs in once more (a new session), opens a socket with it on every
 * instance, and logs that session out through REST on one of them. Each socket must then be
 * closed with 4401; a connect with the logged-out token afterwards must be refused.
 */
export class SessionChurn {
  readonly proc = 'sess';

  constructor(
    private readonly w: Workload,
    private readonly users: User[],
  ) {}

  async run(): Promise<void> {
    for (let k = 1; !this.w.stopping && k < 10_000; k++) {
      await this.once(k);
      await sleep(this.w.random.int(10_000, 25_000));
    }
  }

  private async once(k: number): Promise<void> {
    const user = this.w.random.pick(this.users);
    const base = this.w.pickUrl();
    const session = `s${k}`;
    const login = await rest<Login>(base, 'POST', '/api/auth/login', {
      body: { email: user.email, password: user.password },
    });
    if (login.status !== 200) {
      this.w.history.add({ type: 'fail', f: 'login', proc: this.proc, session, status: login.status });
      return;
    }
    const token = login.body.access_token;
    const sockets: LiveSocket[] = [];
    for (const url of this.w.urls) {
      const opened = await LiveSocket.connect(this.w.wsUrl(url, '/ws/notifications/', token));
      if (!opened.ok) continue;
      sockets.push(opened.socket);
      const conn = opened.socket.id;
      this.w.history.add({
        type: 'open',
        f: 'session-socket',
        proc: this.proc,
        session,
        conn,
        inst: url,
        user: user.id,
      });
      void opened.socket.closed.then((code) =>
        this.w.history.add({ type: 'close', f: 'session-socket', proc: this.proc, session, conn, code }),
      );
    }
    await sleep(this.w.random.int(500, 3000));
    const at = this.w.pickUrl();
    this.w.history.add({ type: 'invoke', f: 'logout', proc: this.proc, session, inst: at });
    const out = await rest(at, 'POST', '/api/auth/logout', {
      token,
      body: { refresh_token: login.body.refresh_token },
    });
    const outcome = out.status === 204 ? 'ok' : out.status === 0 || out.status >= 500 ? 'info' : 'fail';
    this.w.history.add({ type: outcome, f: 'logout', proc: this.proc, session, status: out.status });
    if (outcome !== 'ok') {
      // Unknown outcome: end the session some other way so it cannot linger in the run.
      for (const socket of sockets) socket.terminate();
      return;
    }
    // A connect with the logged-out token, anywhere, must be refused.
    const retry = this.w.pickUrl();
    const again = await LiveSocket.connect(this.w.wsUrl(retry, '/ws/notifications/', token));
    this.w.history.add({
      type: 'reconnect',
      f: 'session-socket',
      proc: this.proc,
      session,
      inst: retry,
      accepted: again.ok,
      code: again.ok ? undefined : again.code,
      reason: again.ok ? undefined : again.reason,
    });
    if (again.ok) again.socket.terminate();
  }
}
