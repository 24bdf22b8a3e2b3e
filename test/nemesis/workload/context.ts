import { createHash } from 'node:crypto';
import type { History } from '../history';
import type { Random } from '../random';
import { LiveSocket, Opened } from './socket';

export interface User {
  id: string;
  token: string;
  refreshToken: string;
  email: string;
  password: string;
}

/** One consultation of the workload: its client writes, its numerologist reads. */
export interface Room {
  index: number;
  id: string;
  client: User;
  numerologist: User;
}

/** What every worker of the generator shares: where the instances are, the history, when to stop. */
export class Workload {
  /** Set once the run enters its final phase: workers finish what they do and return. */
  stopping = false;

  constructor(
    readonly history: History,
    readonly random: Random,
    /** Base URLs of the instances, e.g. http://127.0.0.1:12001. */
    readonly urls: string[],
  ) {}

  /** An instance to try, optionally not `avoid` (readers sit on another instance than the writer). */
  pickUrl(avoid?: string): string {
    const choices = this.urls.filter((url) => url !== avoid);
    return this.random.pick(choices.length > 0 ? choices : this.urls);
  }

  wsUrl(base: string, path: string, token: string, query: Record<string, string> = {}): string {
    const url = new URL(path, base.replace(/^http/, 'ws'));
    url.searchParams.set('token', token);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url.toString();
  }

  /**
   * Opens `path` on one instance after another until one answers (at most `tries`), recording
   * every attempt. Undefined when none did.
   */
  async open(
    proc: string,
    f: string,
    path: string,
    token: string,
    query: Record<string, string> = {},
    avoid?: string,
    tries = 6,
  ): Promise<{ socket: LiveSocket; base: string } | undefined> {
    for (let attempt = 0; attempt < tries; attempt++) {
      const base = this.pickUrl(avoid);
      const opened: Opened = await LiveSocket.connect(this.wsUrl(base, path, token, query));
      if (opened.ok) {
        const conn = opened.socket.id;
        this.history.add({ type: 'open', f, proc, conn, inst: base, ...query });
        void opened.socket.closed.then((code) => this.history.add({ type: 'close', f, proc, conn, code }));
        return { socket: opened.socket, base };
      }
      this.history.add({ type: 'refused', f, proc, inst: base, reason: opened.reason, code: opened.code });
      if (opened.code === 4401 || opened.code === 4403 || opened.code === 4404) return undefined;
      await sleep(200 + this.random.int(0, 300));
    }
    return undefined;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The history stores a hash of each message text, never the text itself. */
export function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
