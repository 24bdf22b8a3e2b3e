import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventBus } from '@numerai/events';
import type { ClientConnection } from './client-connection';
import { ConnectionRegistry } from './connection-registry';

/** How long a revoked session id is remembered locally, for upgrades already past authentication. */
const REMEMBER_MS = 60_000;
/** Bound on remembered ids, so a revocation storm cannot grow memory without end. */
const REMEMBER_MAX = 100_000;

/**
 * Closes this instance's sockets of sessions that ended anywhere in the cluster
 * (`session.revoked`, delivered to every instance). It also remembers those ids for a
 * minute: an upgrade that read the session as live just before it was revoked, and is
 * accepted just after the event passed, is refused instead of slipping through.
 */
@Injectable()
export class SessionRevocations implements OnModuleInit {
  private readonly recent = new Map<string, number>();
  private end: ((connection: ClientConnection) => void) | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly registry: ConnectionRegistry,
  ) {}

  /** The runtime says how a connection of an ended session is closed (one error frame, then 4401). */
  onEnded(end: (connection: ClientConnection) => void): void {
    this.end = end;
  }

  onModuleInit(): void {
    this.bus.on('session.revoked', ({ user_id, session_ids }) => this.revoked(user_id, session_ids));
  }

  wasRevoked(sessionId: string): boolean {
    const until = this.recent.get(sessionId);
    return until !== undefined && until > performance.now();
  }

  private revoked(userId: string, sessionIds: string[]): void {
    this.remember(sessionIds);
    const ended = new Set(sessionIds);
    const connections = this.registry.ofUser(userId);
    if (!connections || !this.end) return;
    for (const connection of [...connections]) if (ended.has(connection.user.sid)) this.end(connection);
  }

  private remember(sessionIds: string[]): void {
    const now = performance.now();
    // Insertion order is expiry order: drop the lapsed (and, past the bound, the oldest) from the front.
    for (const [id, until] of this.recent) {
      if (until > now && this.recent.size + sessionIds.length <= REMEMBER_MAX) break;
      this.recent.delete(id);
    }
    for (const id of sessionIds) {
      this.recent.delete(id);
      this.recent.set(id, now + REMEMBER_MS);
    }
  }
}
