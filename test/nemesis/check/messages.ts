import type { Entry } from '../history';
import { at, CheckInput, Finding, groupBy } from './types';

/**
 * Chat writes against the final database: every acknowledged send is stored exactly once at
 * the seq it was acknowledged with; a send of unknown outcome at most once; every stored text
 * message was sent by a client (its client_id was invoked, with the same text); each stream's
 * seq runs 1..n with no gap or repeat.
 */
export function checkMessages({ entries, db }: CheckInput): Finding[] {
  const stored = groupBy(
    db.messages.filter((row) => row.client_id !== null),
    (row) => `${row.stream} ${row.client_id}`,
  );
  const acked: Finding = { invariant: 'acknowledged message stored exactly once', checked: 0, violations: [] };
  const invoked = new Map<string, Entry>();
  for (const entry of entries) {
    if (entry.f !== 'send') continue;
    const key = `${entry.stream} ${entry.client_id}`;
    if (entry.type === 'invoke') invoked.set(key, entry);
    if (entry.type !== 'ok' && entry.type !== 'info' && entry.type !== 'fail') continue;
    acked.checked++;
    const rows = stored.get(key) ?? [];
    if (entry.type === 'ok') {
      if (rows.length !== 1) {
        acked.violations.push(
          `${at(entry)} client_id ${entry.client_id} acked at seq ${entry.seq}: stored ${rows.length} times`,
        );
      } else if (rows[0].seq !== entry.seq || rows[0].id !== entry.id) {
        acked.violations.push(
          `${at(entry)} client_id ${entry.client_id} acked as seq ${entry.seq} id ${entry.id}, stored as seq ${rows[0].seq} id ${rows[0].id}`,
        );
      }
    } else if (rows.length > (entry.type === 'info' ? 1 : 0)) {
      acked.violations.push(`${at(entry)} client_id ${entry.client_id} (${entry.type}) stored ${rows.length} times`);
    }
  }
  const unsent: Finding = { invariant: 'nothing stored that no client sent', checked: 0, violations: [] };
  for (const row of db.messages) {
    if (row.type === 'system') continue;
    unsent.checked++;
    const invoke = row.client_id === null ? undefined : invoked.get(`${row.stream} ${row.client_id}`);
    if (!invoke)
      unsent.violations.push(
        `stored ${row.stream} seq ${row.seq} id ${row.id} (client_id ${row.client_id}): no client sent it`,
      );
    else if (invoke.hash !== row.hash)
      unsent.violations.push(
        `${at(invoke)} client_id ${row.client_id}: stored text differs from the sent one (seq ${row.seq})`,
      );
  }
  const dense: Finding = {
    invariant: 'stored seq is 1..n per stream (chat and notifications)',
    checked: 0,
    violations: [],
  };
  for (const rows of [
    ...groupBy(db.messages, (row) => row.stream).values(),
    ...groupBy(db.notifications, (row) => row.stream).values(),
  ]) {
    dense.checked++;
    const seqs = rows.map((row) => row.seq).sort((a, b) => a - b);
    const bad = seqs.findIndex((seq, index) => seq !== index + 1);
    if (bad >= 0) dense.violations.push(`${rows[0].stream}: position ${bad + 1} holds seq ${seqs[bad]}`);
  }
  return [acked, unsent, dense];
}

/** Notifications produced through REST: each acknowledged one is stored, for its user. */
export function checkNotifications({ entries, db }: CheckInput): Finding {
  const byId = new Map(db.notifications.map((row) => [row.id, row]));
  const finding: Finding = { invariant: 'acknowledged notification stored for its user', checked: 0, violations: [] };
  for (const entry of entries) {
    if (entry.f !== 'notify' || entry.type !== 'ok') continue;
    finding.checked++;
    const row = byId.get(String(entry.id));
    if (!row) finding.violations.push(`${at(entry)} notification ${entry.id} acked (201) but not stored`);
    else if (row.stream !== entry.stream)
      finding.violations.push(`${at(entry)} notification ${entry.id} stored for ${row.stream}`);
  }
  return finding;
}
