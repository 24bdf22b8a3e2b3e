import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { notificationsEndpoint } from '@numerai/protocol';
import { ConnectionRegistry } from '@numerai/realtime';
import { toNotificationSockets } from './notification-sockets';
import { BULK_CHUNK, NotificationsService } from './notifications.service';

/** How long after the last count a user's sockets were sent before it is checked against the database. */
export const UNREAD_SETTLE_MS = 1000;

/**
 * Sends unread counts to a user's notification sockets on this instance, and makes sure the
 * last one they show is the database's.
 *
 * A count is a plain value computed where the change happened, and counts from different
 * instances (or one held by an instance while Redis was away and published when it came back)
 * can arrive in any order: a stale 5 after a fresh 0 would stay on screen until the next
 * change. Correctness must not depend on that order, so each count sent is followed, once the
 * user's counts have been quiet for UNREAD_SETTLE_MS, by a read of the count from the database
 * (users in batches of BULK_CHUNK); if it differs from the last one sent, it is sent too. In the
 * usual case the read agrees and nothing more goes out.
 */
@Injectable()
export class UnreadCountSockets implements OnModuleDestroy {
  private readonly logger: ContextLogger;
  /** The last count each user's sockets here were sent (pruned once they have none). */
  private readonly lastSent = new Map<string, number>();
  /** Users sent a count since their last check; a count sent during a check puts them back. */
  private readonly unsettled = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private settling = false;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly notifications: NotificationsService,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('UnreadCounts');
  }

  send(userId: string, count: number): void {
    toNotificationSockets(this.registry, userId, { type: 'unread_count', count });
    this.lastSent.set(userId, count);
    this.unsettled.add(userId);
    this.arm();
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer || this.settling) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.settle();
    }, UNREAD_SETTLE_MS);
    this.timer.unref();
  }

  private async settle(): Promise<void> {
    this.settling = true;
    try {
      while (this.unsettled.size > 0) {
        const batch = [...this.unsettled].slice(0, BULK_CHUNK).filter((userId) => {
          this.unsettled.delete(userId);
          return this.hasSockets(userId);
        });
        if (batch.length === 0) continue;
        let counts: Map<string, number>;
        try {
          counts = await this.notifications.unreadCounts(batch);
        } catch (error) {
          // The database is away: the next change of each count is sent and checked again.
          this.logger.warn(`checking ${batch.length} users' unread counts failed: ${String(error)}`);
          return;
        }
        for (const [userId, count] of counts) {
          // A count sent while this one was read is newer than the read, or as new: it stands,
          // and its own check follows.
          if (this.unsettled.has(userId) || this.lastSent.get(userId) === count) continue;
          toNotificationSockets(this.registry, userId, { type: 'unread_count', count });
          this.lastSent.set(userId, count);
        }
      }
    } finally {
      this.settling = false;
      for (const userId of this.lastSent.keys()) if (!this.hasSockets(userId)) this.lastSent.delete(userId);
      if (this.unsettled.size > 0) this.arm();
    }
  }

  private hasSockets(userId: string): boolean {
    return (this.registry.room(notificationsEndpoint.room(userId))?.size ?? 0) > 0;
  }
}
