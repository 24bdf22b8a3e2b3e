import type { Entry } from './history';
import type { DbSnapshot } from './snapshot';
import { check, violationCount } from './check';
import type { Finding } from './check/types';

/**
 * The checker must be able to fail: a clean history passes every invariant, and each bad
 * history below breaks exactly the invariant it is about.
 */
const C = 'c:room';
const N = 'n:client';
const CLIENT = 'client';
const NUMEROLOGIST = 'numerologist';
const STRANGER = 'stranger';

function history(lines: Array<Omit<Entry, 'i' | 't'> & { t?: number }>): Entry[] {
  return lines.map((line, i) => ({ t: i * 100, ...line, i }) as Entry);
}

/** A small run that keeps every promise: two acked messages read over two connections, a notification, presence, a logout, a reminder. */
function cleanRun(): { entries: Array<Omit<Entry, 'i' | 't'> & { t?: number }>; db: DbSnapshot } {
  const entries: Array<Omit<Entry, 'i' | 't'> & { t?: number }> = [
    {
      type: 'meta',
      f: 'cast',
      rooms: [{ index: 0, id: 'room', client: CLIENT, numerologist: NUMEROLOGIST }],
      reminders: [{ id: 'later', users: [CLIENT] }],
    },
    { type: 'invoke', f: 'send', proc: 'send:0', stream: C, client_id: 'a', hash: 'ha' },
    { type: 'ok', f: 'send', proc: 'send:0', stream: C, client_id: 'a', seq: 1, id: 'm1' },
    { type: 'open', f: 'chat', proc: 'read:0', conn: 'k1', last_seq: '0' },
    { type: 'recv', f: 'chat', proc: 'read:0', conn: 'k1', stream: C, seq: 1, id: 'm1', hash: 'ha' },
    { type: 'close', f: 'chat', proc: 'read:0', conn: 'k1', code: 1000 },
    { type: 'invoke', f: 'send', proc: 'send:0', stream: C, client_id: 'b', hash: 'hb' },
    { type: 'ok', f: 'send', proc: 'send:0', stream: C, client_id: 'b', seq: 2, id: 'm2' },
    { type: 'invoke', f: 'read_receipt', proc: 'read:0', stream: C, seq: 1, id: 'm1' },
    { type: 'open', f: 'chat', proc: 'read:0', conn: 'k2', last_seq: '1' },
    { type: 'recv', f: 'chat', proc: 'read:0', conn: 'k2', stream: C, seq: 2, id: 'm2', hash: 'hb', replay: true },
    { type: 'replay_complete', proc: 'read:0', conn: 'k2', stream: C },
    { type: 'invoke', f: 'notify', proc: 'notify', stream: N },
    { type: 'ok', f: 'notify', proc: 'notify', stream: N, id: 'n1' },
    { type: 'open', f: 'notifications', proc: 'ntf:client', conn: 'k3', last_seq: '0' },
    { type: 'recv', f: 'notifications', proc: 'ntf:client', conn: 'k3', stream: N, seq: 1, id: 'n1', hash: 'hn1' },
    { type: 'recv', f: 'notifications', proc: 'ntf:client', conn: 'k3', stream: N, seq: 2, id: 'r1', hash: 'hr1' },
    { type: 'open', f: 'notifications', proc: 'tab:client', conn: 'k4' },
    { type: 'unread', proc: 'tab:client', conn: 'k4', user: CLIENT, count: 2 },
    { type: 'open', f: 'presence', proc: 'view:client', conn: 'k5' },
    { type: 'presence', f: 'state', proc: 'view:client', conn: 'k5', viewer: CLIENT, users: [] },
    { type: 'presence', f: 'online', proc: 'view:client', conn: 'k5', viewer: CLIENT, users: [NUMEROLOGIST] },
    { type: 'open', f: 'session-socket', proc: 'sess', session: 's1', conn: 'k6', inst: 'A' },
    { type: 'invoke', f: 'logout', proc: 'sess', session: 's1' },
    { type: 'ok', f: 'logout', proc: 'sess', session: 's1', status: 204 },
    { type: 'close', f: 'session-socket', proc: 'sess', session: 's1', conn: 'k6', code: 4401 },
    { type: 'reconnect', f: 'session-socket', proc: 'sess', session: 's1', accepted: false, code: 4401 },
    { type: 'health', inst: 'A', status: 200 },
    { type: 'mem', inst: 'A', rss: 100e6, start: 1 },
    { type: 'mem', inst: 'A', rss: 110e6, start: 1, t: 200_000 },
    {
      type: 'truth',
      f: 'presence',
      online: [NUMEROLOGIST, CLIENT, STRANGER],
      contacts: { [CLIENT]: [NUMEROLOGIST] },
      settled_ms: 20000,
    },
    { type: 'truth', f: 'tabs', open: ['tab:client'] },
  ];
  const db: DbSnapshot = {
    messages: [
      { stream: C, seq: 1, id: 'm1', client_id: 'a', type: 'text', hash: 'ha' },
      { stream: C, seq: 2, id: 'm2', client_id: 'b', type: 'text', hash: 'hb' },
    ],
    notifications: [
      { stream: N, user: CLIENT, seq: 1, id: 'n1', type: 'system', is_read: false, hash: 'hn1' },
      {
        stream: N,
        user: CLIENT,
        seq: 2,
        id: 'r1',
        type: 'consultation_reminder',
        is_read: false,
        hash: 'hr1',
        consultation: 'later',
      },
    ],
    markers: [{ stream: C, user: NUMEROLOGIST, seq: 1 }],
  };
  return { entries, db };
}

function failing(findings: Finding[]): Record<string, number> {
  return Object.fromEntries(
    findings.filter((f) => f.violations.length > 0).map((f) => [f.invariant, f.violations.length]),
  );
}

function run(mutate: (run: ReturnType<typeof cleanRun>) => void): {
  failed: Record<string, number>;
  findings: Finding[];
} {
  const clean = cleanRun();
  mutate(clean);
  const findings = check(history(clean.entries), clean.db);
  return { failed: failing(findings), findings };
}

const without = (entries: ReturnType<typeof cleanRun>['entries'], match: (e: (typeof entries)[number]) => boolean) => {
  const index = entries.findIndex(match);
  if (index < 0) throw new Error('no such line');
  entries.splice(index, 1);
};

describe('nemesis checker', () => {
  it('passes a history that keeps every promise, and judges something for every invariant', () => {
    const findings = check(history(cleanRun().entries), cleanRun().db);
    expect(violationCount(findings)).toBe(0);
    expect(findings.filter((f) => f.checked === 0).map((f) => f.invariant)).toEqual([]);
  });

  it('an acknowledged message that is not stored (or stored twice) is lost/duplicated', () => {
    expect(run(({ db }) => db.messages.splice(1, 1)).failed).toMatchObject({
      'acknowledged message stored exactly once': 1,
    });
    const dup = run(({ db }) =>
      db.messages.push({ stream: C, seq: 3, id: 'm3', client_id: 'b', type: 'text', hash: 'hb' }),
    );
    expect(dup.failed['acknowledged message stored exactly once']).toBe(1);
    expect(dup.findings[0].violations[0]).toMatch(/#7 send:0 ok\/send client_id b acked at seq 2: stored 2 times/);
  });

  it('a stored message no client sent is flagged', () => {
    const { failed } = run(({ db }) =>
      db.messages.push({ stream: C, seq: 3, id: 'x', client_id: 'ghost', type: 'text', hash: 'hx' }),
    );
    expect(failed['nothing stored that no client sent']).toBe(1);
  });

  it('a stored seq sequence with a hole is flagged', () => {
    const { failed } = run(({ db }) => (db.notifications[1].seq = 3));
    expect(failed['stored seq is 1..n per stream (chat and notifications)']).toBe(1);
  });

  it('a reader that skips a seq (a replay missing one) sees a gap and never gets the message', () => {
    const { failed, findings } = run(({ entries }) => {
      // The second connection resumes from 0 and its replay skips seq 1.
      without(entries, (e) => e.type === 'recv' && e.seq === 1 && e.f === 'chat');
      entries.find((e) => e.conn === 'k2' && e.type === 'open')!.last_seq = '0';
    });
    expect(failed['chat readers: every stored item once, in seq order, no gap']).toBe(2);
    expect(findings.find((f) => f.invariant.startsWith('chat readers'))!.violations[0]).toMatch(
      /gap: seq 2 where 1 was due/,
    );
  });

  it('a reader that gets a seq twice, or resumes beyond what it holds, is flagged', () => {
    const twice = run(({ entries }) =>
      entries.splice(11, 0, {
        type: 'recv',
        f: 'chat',
        proc: 'read:0',
        conn: 'k2',
        stream: C,
        seq: 2,
        id: 'm2',
        hash: 'hb',
      }),
    );
    expect(twice.failed['chat readers: every stored item once, in seq order, no gap']).toBe(2); // repeat + received twice
    const ahead = run(({ entries }) => (entries.find((e) => e.conn === 'k2' && e.type === 'open')!.last_seq = '2'));
    expect(ahead.failed['chat readers: every stored item once, in seq order, no gap']).toBeGreaterThanOrEqual(1);
  });

  it('a frame that differs from the stored row is flagged', () => {
    const { failed } = run(
      ({ entries }) => (entries.find((e) => e.type === 'recv' && e.seq === 2 && e.f === 'chat')!.hash = 'other'),
    );
    expect(failed['chat readers: every stored item once, in seq order, no gap']).toBe(1);
  });

  it('notification readers: a missing notification is a violation of their own', () => {
    const { failed } = run(({ entries }) => without(entries, (e) => e.type === 'recv' && e.id === 'r1'));
    expect(failed).toEqual({ 'notification readers: every stored item once, in seq order, no gap': 1 });
  });

  it('an acknowledged notification that is not stored is lost', () => {
    const { failed } = run(({ entries }) => (entries.find((e) => e.f === 'notify' && e.type === 'ok')!.id = 'lost'));
    expect(failed['acknowledged notification stored for its user']).toBe(1);
  });

  it('a tab whose last unread count differs from the database is flagged', () => {
    const { failed } = run(({ entries }) => (entries.find((e) => e.type === 'unread')!.count = 1));
    expect(failed).toEqual({ 'unread count of every tab equals the database after the quiet period': 1 });
  });

  it('a read marker at a position the reader never sent is flagged', () => {
    const { failed } = run(({ db }) => (db.markers[0].seq = 2));
    expect(failed).toEqual({ 'read markers: stored position was sent by the reader': 1 });
  });

  it('presence: a viewer left showing a contact offline while they hold sockets (the grace bug) is flagged', () => {
    const { failed, findings } = run(({ entries }) =>
      without(entries, (e) => e.type === 'presence' && e.f === 'online'),
    );
    expect(failed).toEqual({ 'presence after the quiet period equals who holds sockets': 1 });
    expect(findings.find((f) => f.invariant.startsWith('presence after'))!.violations[0]).toMatch(
      /view:client .* shows numerologist offline, but they hold sockets/,
    );
  });

  it('presence: a last connection that was never shown anything is judged too', () => {
    const { failed } = run(({ entries }) =>
      entries.splice(22, 0, { type: 'open', f: 'presence', proc: 'view:client', conn: 'k9' }),
    );
    expect(failed).toEqual({ 'presence after the quiet period equals who holds sockets': 1 });
  });

  it('presence: a non-contact shown at any time is flagged', () => {
    const { failed } = run(({ entries }) =>
      entries.splice(21, 0, {
        type: 'presence',
        f: 'online',
        proc: 'view:client',
        conn: 'k5',
        viewer: CLIENT,
        users: [STRANGER],
      }),
    );
    expect(failed).toEqual({ 'presence never shows a non-contact': 1 });
  });

  it('a session socket still open long after its logout, or a connect accepted after it, is flagged', () => {
    const late = run(({ entries }) => (entries.find((e) => e.type === 'close' && e.conn === 'k6')!.t = 60_000));
    expect(late.failed).toEqual({ 'no session outlived its logout beyond the bound': 1 });
    const never = run(({ entries }) => without(entries, (e) => e.type === 'close' && e.conn === 'k6'));
    expect(never.failed).toEqual({ 'no session outlived its logout beyond the bound': 1 });
    const accepted = run(({ entries }) => (entries.find((e) => e.type === 'reconnect')!.accepted = true));
    expect(accepted.failed).toEqual({ 'no session outlived its logout beyond the bound': 1 });
  });

  it('a logout delayed by a fault gets the bound counted from the fault’s end', () => {
    const { failed } = run(({ entries }) => {
      entries.find((e) => e.type === 'close' && e.conn === 'k6')!.t = 30_000;
      entries.splice(23, 0, { type: 'nemesis', f: 'redis-restart', phase: 'start', t: 2000 });
      entries.splice(24, 0, { type: 'nemesis', f: 'redis-restart', phase: 'end', t: 25_000 });
    });
    expect(failed).toEqual({});
  });

  it('a reminder stored twice (or never) is flagged', () => {
    const twice = run(({ db }) => db.notifications.push({ ...db.notifications[1], seq: 3, id: 'r2' }));
    expect(twice.failed['scheduled reminder delivered exactly once']).toBe(1);
    const never = run(({ db, entries }) => {
      db.notifications.splice(1, 1);
      without(entries, (e) => e.type === 'recv' && e.id === 'r1');
      entries.find((e) => e.type === 'unread')!.count = 1;
    });
    expect(never.failed).toEqual({ 'scheduled reminder delivered exactly once': 1 });
  });

  it('/health failing with no fault near is flagged; during a fault it is not', () => {
    const bad = run(({ entries }) => (entries.find((e) => e.type === 'health')!.status = 503));
    expect(bad.failed).toEqual({ '/health 200 outside faults': 1 });
    const excused = run(({ entries }) => {
      const index = entries.findIndex((e) => e.type === 'health');
      entries[index].status = 0;
      entries.splice(index, 0, { type: 'nemesis', f: 'pause', phase: 'start', inst: 'A' });
      entries.splice(index + 2, 0, { type: 'nemesis', f: 'pause', phase: 'end', inst: 'A' });
    });
    expect(excused.failed).toEqual({});
  });

  it('memory that keeps growing on an instance that stayed up is flagged', () => {
    const { failed } = run(({ entries }) => (entries.filter((e) => e.type === 'mem')[1].rss = 400e6));
    expect(failed).toEqual({ 'no memory growth on instances that stayed up': 1 });
  });

  it('memory is judged on the last process of a restarted instance, not across the restart', () => {
    const { failed, findings } = run(({ entries }) => {
      const index = entries.findIndex((e) => e.type === 'mem');
      entries.splice(index, 0, { type: 'mem', inst: 'A', rss: 10e6, start: 0 });
      entries.filter((e) => e.type === 'mem')[2].rss = 400e6;
    });
    expect(failed).toEqual({ 'no memory growth on instances that stayed up': 1 });
    expect(findings.find((f) => f.invariant.startsWith('no memory'))!.violations[0]).toMatch(
      /95 MB in the first minute, 381 MB/,
    );
  });
});
