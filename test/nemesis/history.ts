import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * One line of the history (JSON lines). `t` is the run's monotonic clock in ms (never the wall
 * clock, which the nemesis jumps on instances — though never in this process), `wall` the
 * client's wall clock. `type`: invoke → ok | fail | info (unknown outcome) for operations;
 * recv/open/close/… for what clients observed; nemesis for faults; meta first.
 */
export interface Entry {
  i: number;
  t: number;
  wall?: number;
  type: string;
  f?: string;
  proc?: string;
  [field: string]: unknown;
}

export type NewEntry = Omit<Entry, 'i' | 't'> & { t?: number };

/** Appends every entry to the history file at once (synchronously), so a crash of the run keeps it. */
export class History {
  private readonly fd: number;
  private count = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  /** Milliseconds since the run's process started, monotonic. */
  static now(): number {
    return Math.round(performance.now());
  }

  add(entry: NewEntry): Entry {
    const full = { i: this.count++, t: History.now(), wall: Date.now(), ...entry } as Entry;
    writeSync(this.fd, `${JSON.stringify(full)}\n`);
    return full;
  }

  close(): void {
    closeSync(this.fd);
  }
}

export function readHistory(path: string): Entry[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Entry);
}
