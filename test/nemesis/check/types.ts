import type { Entry } from '../history';
import type { DbSnapshot } from '../snapshot';

/** One invariant's result: how many things it judged and every violation, each naming history lines. */
export interface Finding {
  invariant: string;
  checked: number;
  violations: string[];
  /** Extra numbers worth printing (e.g. delivery lag). */
  note?: string;
}

/** What the checkers read: the history, the final database, and the run's settings. */
export interface CheckInput {
  entries: Entry[];
  db: DbSnapshot;
  settings: CheckSettings;
}

export interface CheckSettings {
  /** PRESENCE_GRACE_MS + PRESENCE_INSTANCE_TTL_MS of the instances. */
  presenceBoundMs: number;
  /** How long after a logout (or after the faults that delay it) every socket of the session must be closed. */
  sessionBoundMs: number;
  /** How long after a fault ends an instance may still answer /health with something other than 200. */
  healthSlackMs: number;
}

export const DEFAULT_SETTINGS: CheckSettings = {
  presenceBoundMs: 20_000,
  sessionBoundMs: 10_000,
  healthSlackMs: 20_000,
};

/** `#12 send:3 invoke` — how a violation points at the history. */
export function at(entry: Entry | undefined): string {
  if (!entry) return '(no line)';
  return `#${entry.i}${entry.proc ? ` ${entry.proc}` : ''} ${entry.type}${entry.f ? `/${entry.f}` : ''}`;
}

export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Fault windows [start, end] in history time, per instance name or '*' for every instance. */
export interface FaultWindow {
  kind: string;
  inst: string;
  start: number;
  end: number;
}

export function faultWindows(entries: Entry[]): FaultWindow[] {
  const windows: FaultWindow[] = [];
  const open = new Map<string, Entry[]>();
  const lastT = entries.at(-1)?.t ?? 0;
  for (const entry of entries) {
    if (entry.type !== 'nemesis' || !entry.f) continue;
    const inst = entry.inst === undefined ? '*' : String(entry.inst);
    const key = `${entry.f}:${inst}`;
    if (entry.phase === 'start') {
      open.set(key, [...(open.get(key) ?? []), entry]);
    } else if (entry.phase === 'end') {
      const started = open.get(key)?.shift();
      if (started) windows.push({ kind: entry.f, inst, start: started.t, end: entry.t });
    }
  }
  for (const [key, starts] of open) {
    for (const started of starts)
      windows.push({ kind: key.split(':')[0], inst: key.split(':')[1], start: started.t, end: lastT });
  }
  return windows;
}
