import type { Entry } from '../history';
import { at, CheckInput, Finding } from './types';

interface Connection {
  open: Entry;
  expected: number;
}

/**
 * Resuming readers (chat or notifications): on each connection the frames run from.last_seq+1
 * upward with no gap, repeat or step back; each equals the stored row (id and text hash); each
 * connection resumes from the highest seq the reader held with nothing missing below; across
 * all its connections a reader gets every stored item of its stream exactly once.
 */
export function checkReaders({ entries, db }: CheckInput, f: 'chat' | 'notifications'): Finding {
  const rows = new Map<string, Map<number, { id: string; hash: string; type: string }>>();
  for (const row of f === 'chat' ? db.messages : db.notifications) {
    if (!rows.has(row.stream)) rows.set(row.stream, new Map());
    rows.get(row.stream)!.set(row.seq, row);
  }
  const finding: Finding = {
    invariant: `${f === 'chat' ? 'chat' : 'notification'} readers: every stored item once, in seq order, no gap`,
    checked: 0,
    violations: [],
  };
  const readerProcs = new Set(
    entries.filter((entry) => entry.type === 'recv' && entry.f === f).map((entry) => entry.proc!),
  );
  const connections = new Map<string, Connection>();
  const held = new Map<string, Set<number>>();
  const streamOf = new Map<string, string>();
  const prefix = (proc: string) => {
    const seen = held.get(proc) ?? new Set<number>();
    let k = 0;
    while (seen.has(k + 1)) k++;
    return k;
  };
  for (const entry of entries) {
    if (!entry.proc || !readerProcs.has(entry.proc)) continue;
    if (entry.type === 'open' && entry.f === f && entry.last_seq !== undefined) {
      const from = Number(entry.last_seq);
      const holds = prefix(entry.proc);
      if (from !== holds) finding.violations.push(`${at(entry)} resumed from ${from} while holding 1..${holds}`);
      connections.set(String(entry.conn), { open: entry, expected: from + 1 });
    } else if (entry.type === 'recv' && entry.f === f) {
      finding.checked++;
      const stream = String(entry.stream);
      streamOf.set(entry.proc, stream);
      const conn = connections.get(String(entry.conn));
      const seq = Number(entry.seq);
      if (conn) {
        if (seq > conn.expected) {
          finding.violations.push(
            `${at(entry)} gap: seq ${seq} where ${conn.expected} was due (connection opened ${at(conn.open)}, from ${conn.open.last_seq})`,
          );
        } else if (seq < conn.expected) {
          finding.violations.push(
            `${at(entry)} ${seq === conn.expected - 1 ? 'repeat' : 'step back'}: seq ${seq} after ${conn.expected - 1} (connection opened ${at(conn.open)})`,
          );
        }
        conn.expected = Math.max(conn.expected, seq + 1);
      }
      const row = rows.get(stream)?.get(seq);
      if (!row) finding.violations.push(`${at(entry)} seq ${seq} of ${stream} is not in the database`);
      // A system message stores only its sentence; the frame puts the actor's current name in
      // front (so an erased account's name is gone everywhere), so for those the id is the check.
      else if (row.id !== entry.id || (row.type !== 'system' && row.hash !== entry.hash))
        finding.violations.push(`${at(entry)} seq ${seq} of ${stream}: id/text differ from the stored row ${row.id}`);
      const seen = held.get(entry.proc) ?? new Set<number>();
      held.set(entry.proc, seen);
      if (seen.has(seq)) finding.violations.push(`${at(entry)} seq ${seq} of ${stream} received a second time`);
      seen.add(seq);
    }
  }
  for (const proc of readerProcs) {
    const stream = streamOf.get(proc)!;
    const stored = rows.get(stream) ?? new Map();
    const seen = held.get(proc) ?? new Set<number>();
    const missing = [...stored.keys()].filter((seq) => !seen.has(seq)).sort((a, b) => a - b);
    if (missing.length > 0)
      finding.violations.push(
        `${proc} never received seq ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (+${missing.length - 5})` : ''} of ${stream} (${stored.size} stored)`,
      );
  }
  return finding;
}

/** How long after its acknowledgement each chat message reached its room's reader (p50/p99/max). */
export function deliveryLag(entries: Entry[]): string {
  const acked = new Map<string, number>();
  const lags: number[] = [];
  for (const entry of entries) {
    if (entry.f === 'send' && entry.type === 'ok') acked.set(`${entry.stream} ${entry.seq}`, entry.t);
    if (entry.f === 'chat' && entry.type === 'recv') {
      const key = `${entry.stream} ${entry.seq}`;
      const t = acked.get(key);
      if (t !== undefined) {
        lags.push(Math.max(0, entry.t - t));
        acked.delete(key);
      }
    }
  }
  if (lags.length === 0) return 'no acked message was read';
  lags.sort((a, b) => a - b);
  const q = (p: number) => lags[Math.min(lags.length - 1, Math.floor(p * lags.length))];
  return `ack→reader lag p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${lags.at(-1)} ms`;
}
