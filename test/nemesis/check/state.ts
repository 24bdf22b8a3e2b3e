import { at, CheckInput, faultWindows, Finding, groupBy } from './types';

/** After the quiet period, every open notification tab shows the unread count the database holds. */
export function checkUnread({ entries }: CheckInput, dbUnread: Map<string, number>): Finding {
  const finding: Finding = {
    invariant: 'unread count of every tab equals the database after the quiet period',
    checked: 0,
    violations: [],
  };
  const last = new Map<string, (typeof entries)[number]>();
  for (const entry of entries) if (entry.type === 'unread') last.set(String(entry.proc), entry);
  const stillOpen = new Set(
    entries.filter((entry) => entry.type === 'truth' && entry.f === 'tabs').flatMap((entry) => entry.open as string[]),
  );
  for (const [proc, entry] of last) {
    if (!stillOpen.has(proc)) continue;
    finding.checked++;
    const truth = dbUnread.get(String(entry.user)) ?? 0;
    if (entry.count !== truth)
      finding.violations.push(`${at(entry)} last showed ${entry.count} unread; the database holds ${truth}`);
  }
  return finding;
}

/** Markers: each stored read marker is a position its reader sent (never one nobody sent). */
export function checkMarkers({ entries, db }: CheckInput): Finding {
  const finding: Finding = {
    invariant: 'read markers: stored position was sent by the reader',
    checked: 0,
    violations: [],
  };
  const cast = entries.find((entry) => entry.type === 'meta' && entry.f === 'cast');
  const readers = new Set(((cast?.rooms ?? []) as Array<{ numerologist: string }>).map((room) => room.numerologist));
  const sent = groupBy(
    entries.filter((entry) => entry.f === 'read_receipt' && entry.type === 'invoke'),
    (entry) => String(entry.stream),
  );
  for (const marker of db.markers) {
    if (!readers.has(marker.user)) continue;
    finding.checked++;
    const seqs = (sent.get(marker.stream) ?? []).map((entry) => Number(entry.seq));
    // Not "equals the highest sent": a receipt sent just before its connection was dropped may
    // never have been read by the server.
    if (!seqs.includes(marker.seq))
      finding.violations.push(
        `marker of ${marker.user} in ${marker.stream} at seq ${marker.seq}: never sent (sent: ${seqs.slice(-5).join(', ') || 'none'})`,
      );
  }
  return finding;
}

/** Every reminder due during the run became exactly one notification per participant. */
export function checkReminders({ entries, db }: CheckInput): Finding {
  const finding: Finding = { invariant: 'scheduled reminder delivered exactly once', checked: 0, violations: [] };
  const cast = entries.find((entry) => entry.type === 'meta' && entry.f === 'cast');
  for (const reminder of (cast?.reminders ?? []) as Array<{ id: string; users: string[] }>) {
    for (const user of reminder.users) {
      finding.checked++;
      const rows = db.notifications.filter(
        (row) => row.type === 'consultation_reminder' && row.user === user && row.consultation === reminder.id,
      );
      if (rows.length !== 1)
        finding.violations.push(
          `reminder of consultation ${reminder.id} for ${user}: stored ${rows.length} times (${at(cast)})`,
        );
    }
  }
  return finding;
}

/**
 * /health: an instance answers 200 whenever no fault touches it (faults of its own, and those of
 * the shared PostgreSQL and Redis) and the slack after one has passed; and no instance process
 * that ran three minutes or more grew its resident memory from its first minute to its last by
 * more than half again plus 64 MB.
 */
export function checkHealth({ entries, settings }: CheckInput): Finding[] {
  const windows = faultWindows(entries);
  const health: Finding = { invariant: '/health 200 outside faults', checked: 0, violations: [] };
  for (const entry of entries) {
    if (entry.type !== 'health') continue;
    health.checked++;
    if (entry.status === 200) continue;
    const excused = windows.some(
      (window) =>
        (window.inst === '*' || window.inst === entry.inst) &&
        entry.t >= window.start - 2000 &&
        entry.t <= window.end + settings.healthSlackMs,
    );
    if (!excused)
      health.violations.push(
        `${at(entry)} instance ${entry.inst} answered ${entry.status || 'nothing'} with no fault near`,
      );
  }
  const memory: Finding = { invariant: 'no memory growth on instances that stayed up', checked: 0, violations: [] };
  // Each instance's last process (a killed one starts afresh), if it lived at least three minutes:
  // its first minute against its last.
  for (const [inst, all] of groupBy(
    entries.filter((entry) => entry.type === 'mem'),
    (entry) => String(entry.inst),
  )) {
    const lastStart = Math.max(...all.map((sample) => Number(sample.start)));
    const samples = all.filter((sample) => Number(sample.start) === lastStart);
    const first = samples[0].t;
    const end = samples[samples.length - 1].t;
    if (end - first < 180_000) continue;
    memory.checked++;
    const early = samples.filter((sample) => sample.t <= first + 60_000).map((sample) => Number(sample.rss));
    const late = samples
      .filter((sample) => sample.t >= end - 60_000)
      .map((sample) => Number(sample.rss))
      .sort((a, b) => a - b);
    if (early.length === 0 || late.length === 0) continue;
    const base = Math.max(...early);
    const median = late[Math.floor(late.length / 2)];
    memory.note = `${memory.note ? `${memory.note}; ` : ''}${inst} ${mb(base)} → ${mb(median)}`;
    if (median > base * 1.5 + 64 * 1024 * 1024)
      memory.violations.push(`instance ${inst}: resident ${mb(base)} in the first minute, ${mb(median)} in the last`);
  }
  return [health, memory];
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}
