import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, WriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Proxy } from './proxy';

const ROOT = join(__dirname, '..', '..');
export const MAIN = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
/** libfaketime preloaded into node itself (the `faketime` wrapper forks, so its PID is not node's). */
export const LIBFAKETIME = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1',
].find((path) => existsSync(path));

/**
 * One server instance (`node dist/apps/api/src/main.js`) the nemesis can SIGKILL, SIGSTOP/SIGCONT
 * and restart, on the same port and the same proxies each time. Its wall clock runs through
 * libfaketime reading `clockFile` at every call (FAKETIME_NO_CACHE), so the nemesis can jump it;
 * monotonic time is left alone, so timers keep running.
 */
export class Instance {
  private child: ChildProcess | undefined;
  private readonly log: WriteStream;
  /** Times this process was started (1 = never restarted). */
  starts = 0;
  paused = false;
  readonly clockFile: string;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    /** Every link of this instance: PostgreSQL first, then one per Redis node. */
    readonly links: { pg: Proxy; redis: Proxy[] },
    dir: string,
  ) {
    this.log = createWriteStream(join(dir, `instance-${name}.log`), { flags: 'a' });
    this.clockFile = join(dir, `clock-${name}`);
    writeFileSync(this.clockFile, '+0\n');
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is running already`);
    this.starts++;
    this.paused = false;
    const clock: Record<string, string> = LIBFAKETIME
      ? {
          LD_PRELOAD: LIBFAKETIME,
          FAKETIME_TIMESTAMP_FILE: this.clockFile,
          FAKETIME_NO_CACHE: '1',
          FAKETIME_DONT_FAKE_MONOTONIC: '1',
        }
      : {};
    const child = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...this.env, ...clock, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.log.write(`---- start ${this.starts} pid ${child.pid} at ${new Date().toISOString()}\n`);
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.child = child;
  }

  async waitHealthy(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running)
        throw new Error(`instance ${this.name} exited (${this.child?.exitCode ?? this.child?.signalCode})`);
      if ((await this.health()).status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`instance ${this.name} did not answer /health with 200 within ${timeoutMs} ms`);
  }

  /** /health's status code (0 when nothing answered within `timeoutMs`) and, when not 200, what it said. */
  async health(timeoutMs = 5000): Promise<{ status: number; body?: unknown }> {
    try {
      const response = await fetch(`${this.url}/health`, {
        signal: AbortSignal.timeout(timeoutMs),
        headers: { connection: 'close' },
      });
      const text = await response.text();
      return { status: response.status, body: response.status === 200 ? undefined : text.slice(0, 300) };
    } catch {
      return { status: 0 };
    }
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (this.paused) child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
    this.paused = false;
  }

  pause(): void {
    if (!this.running || this.paused) return;
    this.child!.kill('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    if (!this.running || !this.paused) return;
    this.child!.kill('SIGCONT');
    this.paused = false;
  }

  /** Jump this instance's wall clock to `offsetS` seconds from the true time. */
  setClock(offsetS: number): void {
    writeFileSync(this.clockFile, `${offsetS >= 0 ? '+' : ''}${offsetS}\n`);
  }

  /** Resident memory in bytes (from /proc), or undefined when not running. */
  rss(): number | undefined {
    if (!this.running || this.pid === undefined) return undefined;
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return match ? Number(match[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  /** SIGTERM, then SIGKILL after 10 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    if (this.paused) child.kill('SIGCONT');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  closeLog(): void {
    this.log.end();
  }
}
