import type { Entry } from '../history';
import { at, CheckInput, Finding } from './types';

/**
 * Presence. The truth is written at the end of the quiet period (who holds at least one socket,
 * by the clients' own account, and each viewer's contacts): every viewer's last connection
 * must show exactly its contacts that are online, once the presence bound (grace + instance
 * TTL) has passed since the last socket change; and at no time may a viewer be shown anyone
 * who is not its contact.
 */
export function checkPresence({ entries }: CheckInput): Finding[] {
  const truth = entries.find((entry) => entry.type === 'truth' && entry.f === 'presence');
  const contacts = (truth?.contacts ?? {}) as Record<string, string[]>;
  const final: Finding = {
    invariant: 'presence after the quiet period equals who holds sockets',
    checked: 0,
    violations: [],
  };
  const strangers: Finding = { invariant: 'presence never shows a non-contact', checked: 0, violations: [] };
  const shown = new Map<string, { viewer: string; conn: string; users: Set<string>; last?: Entry }>();
  const lastConn = new Map<string, string>();
  const viewerOf = new Map<string, string>();
  for (const entry of entries) {
    if (entry.type !== 'presence') continue;
    const viewer = String(entry.viewer);
    const conn = String(entry.conn);
    const users = entry.users as string[];
    strangers.checked += users.length;
    for (const user of users) {
      if (!(contacts[viewer] ?? []).includes(user))
        strangers.violations.push(`${at(entry)} (${conn}) showed ${user}, not a contact of ${viewer}`);
    }
    const state = shown.get(conn) ?? { viewer, conn, users: new Set<string>() };
    shown.set(conn, state);
    if (entry.f === 'state') state.users = new Set(users);
    else if (entry.f === 'online') users.forEach((user) => state.users.add(user));
    else if (entry.f === 'offline') users.forEach((user) => state.users.delete(user));
    state.last = entry;
    lastConn.set(String(entry.proc), conn);
    viewerOf.set(String(entry.proc), viewer);
  }
  for (const entry of entries)
    if (entry.type === 'open' && entry.f === 'presence') lastConn.set(String(entry.proc), String(entry.conn));
  if (!truth) {
    final.violations.push('no presence truth was recorded at the end of the run');
    return [final, strangers];
  }
  const online = new Set(truth.online as string[]);
  const opens = new Map(entries.filter((entry) => entry.type === 'open').map((entry) => [String(entry.conn), entry]));
  for (const [proc, conn] of lastConn) {
    const open = opens.get(conn);
    const state = shown.get(conn);
    // A last connection that was never shown anything still belongs to its viewer.
    const viewerId = state?.viewer ?? viewerOf.get(proc);
    if (viewerId === undefined) continue;
    for (const contact of contacts[viewerId] ?? []) {
      final.checked++;
      const isOnline = online.has(contact);
      const showsOnline = state?.users.has(contact) ?? false;
      if (isOnline !== showsOnline) {
        final.violations.push(
          `${proc} (connection ${conn} opened ${at(open)}; last frame ${at(state?.last)}) shows ${contact} ${showsOnline ? 'online' : 'offline'}, but they ${isOnline ? 'hold sockets' : 'hold none'} (truth ${at(truth)}, ${truth.settled_ms} ms after the last change)`,
        );
      }
    }
  }
  return [final, strangers];
}
