/**
 * Tells a database that is not serving (down, restarting, unreachable, locked, out of disk)
 * from a query that is wrong. The first is the client's cue to retry (503 on REST); answering it
 * like a bug (500) or a bad token (401) would make clients give up or throw good tokens away.
 */

/** Codes of a server that cannot be reached right now: worth waiting out, at start-up too. */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P03', // cannot_connect_now: the server is starting up or shutting down
  '53300', // too_many_connections
]);

/** Besides those, codes of a database that is refusing work for now (sessions killed, file locked, disk full). */
const UNAVAILABLE_CODES = new Set([
  ...UNREACHABLE_CODES,
  'EPIPE',
  '57P01', // admin_shutdown: the session was terminated
  '57P02', // crash_shutdown
  '53100', // disk_full
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_FULL',
]);

/** node-postgres and TypeORM say "not connected" in words, without a code. */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|not currently accepting connections|timeout exceeded when trying to connect|not queryable|Driver not Connected|connection is not established/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (const candidate of causes(error)) {
    const code = (candidate as { code?: unknown }).code;
    if (typeof code === 'string') {
      // SQLSTATE class 08 is "connection exception"; SQLITE_IOERR comes with many sub-codes.
      if (UNAVAILABLE_CODES.has(code) || /^08/.test(code) || code.startsWith('SQLITE_IOERR')) return true;
    }
    if (candidate instanceof Error) {
      if (candidate.name === 'CannotExecuteNotConnectedError') return true;
      if (UNAVAILABLE_MESSAGES.test(candidate.message)) return true;
    }
  }
  return false;
}

/** The error, what TypeORM wrapped (`driverError`), `cause`, and an AggregateError's first member: bounded depth. */
function causes(error: unknown): unknown[] {
  const found: unknown[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    found.push(current);
    const next =
      (current as { driverError?: unknown }).driverError ??
      (current as { cause?: unknown }).cause ??
      (current instanceof AggregateError ? current.errors[0] : undefined);
    current = next;
  }
  return found;
}
