import type { Entry } from '../history';
import { at, CheckInput, faultWindows, Finding, groupBy } from './types';

/**
 * Logouts: after a logout answered 204, every socket of that session, on every instance, must be
 * closed within the bound — counted from the logout, or from the end of any fault that overlaps
 * that span (the revocation travels over Redis, and "while Redis is away … the sockets close
 * once it is back"); a socket closed for another reason (its instance died) has not outlived
 * the session. A connect with the logged-out token must be refused.
 */
export function checkSessions({ entries, settings }: CheckInput): Finding {
  const finding: Finding = { invariant: 'no session outlived its logout beyond the bound', checked: 0, violations: [] };
  const windows = faultWindows(entries);
  const bySession = groupBy(
    entries.filter((entry) => entry.session !== undefined),
    (entry) => String(entry.session),
  );
  const lastT = entries.at(-1)?.t ?? 0;
  for (const [session, list] of bySession) {
    const logout = list.find((entry) => entry.f === 'logout' && entry.type === 'ok');
    if (!logout) continue;
    let deadline = logout.t + settings.sessionBoundMs;
    for (const window of windows) {
      if (window.start <= deadline && window.end >= logout.t)
        deadline = Math.max(deadline, window.end + settings.sessionBoundMs);
    }
    for (const open of list.filter((entry) => entry.type === 'open')) {
      finding.checked++;
      const close = list.find((entry) => entry.type === 'close' && entry.conn === open.conn);
      if (!close) {
        finding.violations.push(
          `${at(open)} socket ${open.conn} of session ${session} on ${open.inst} still open at the end (logout ${at(logout)}, ${lastT - logout.t} ms before)`,
        );
      } else if (close.t > deadline) {
        finding.violations.push(
          `${at(open)} socket ${open.conn} of session ${session} on ${open.inst} closed ${close.t - logout.t} ms after logout ${at(logout)} (code ${close.code}; bound ${deadline - logout.t} ms)`,
        );
      }
    }
    for (const again of list.filter((entry: Entry) => entry.type === 'reconnect')) {
      finding.checked++;
      if (again.accepted)
        finding.violations.push(
          `${at(again)} a connect with the token of session ${session} was accepted after logout ${at(logout)}`,
        );
    }
  }
  return finding;
}
