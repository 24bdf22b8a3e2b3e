import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventBus } from '@numerai/events';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { notificationsEndpoint } from '@numerai/protocol';
import { ConnectionRegistry } from '@numerai/realtime';
import { BULK_CHUNK, NotificationsService } from './notifications.service';
import { UnreadCountSockets } from './unread-count-sockets';

/**
 * Open notification sockets learn their unread count from events, and delivery across
 * instances is at most once: a count changed on another instance while Redis was away may
 * never arrive, and it is a plain value with no position to catch up from, so the socket
 * would show it wrong for as long as it stays open. Whenever the event bus is subscribed
 * again, every user with a notifications socket here is sent their count read from the
 * database — one query per batch of BULK_CHUNK users, the batches one after another, however
 * many sockets each user has.
 */
@Injectable()
export class UnreadCountRecount implements OnModuleInit {
  private readonly logger: ContextLogger;
  private running = false;
  private again = false;
  /** Users whose count was announced by an event while their batch was being read. */
  private announcedDuringRead: Set<string> | undefined;

  constructor(
    private readonly events: EventBus,
    private readonly registry: ConnectionRegistry,
    private readonly notifications: NotificationsService,
    private readonly counts: UnreadCountSockets,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('UnreadCountRecount');
  }

  onModuleInit(): void {
    this.events.onResubscribed(() => void this.recount());
    // A count that arrives while ours is read may be newer than ours: it is not overwritten.
    const announced = (userId: string) => this.announcedDuringRead?.add(userId);
    this.events.on('notification.unread_count', ({ user_id }) => announced(user_id));
    this.events.on('notification.created', ({ user_id }) => announced(user_id));
    this.events.on('notification.replaced', ({ user_id }) => announced(user_id));
    this.events.on('notification.created_many', ({ items }) => items.forEach(({ user_id }) => announced(user_id)));
  }

  /** One pass at a time; a resubscription during a pass asks for one more after it. */
  private async recount(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        await this.recountLocalUsers();
      } while (this.again);
    } finally {
      this.running = false;
    }
  }

  private async recountLocalUsers(): Promise<void> {
    const users = this.localUsers();
    for (let i = 0; i < users.length; i += BULK_CHUNK) {
      const batch = users.slice(i, i + BULK_CHUNK);
      const announced = new Set<string>();
      this.announcedDuringRead = announced;
      let counts: Map<string, number>;
      try {
        counts = await this.notifications.unreadCounts(batch);
      } catch (error) {
        // The database is away too: the next change of each count announces it again.
        this.logger.warn(`re-reading ${users.length} users' unread counts failed: ${String(error)}`);
        return;
      } finally {
        this.announcedDuringRead = undefined;
      }
      for (const [userId, count] of counts) if (!announced.has(userId)) this.counts.send(userId, count);
    }
  }

  /** Users with a notifications socket on this instance, once each. */
  private localUsers(): string[] {
    const users = new Set<string>();
    for (const connection of this.registry.all()) {
      if (connection.endpoint === notificationsEndpoint.name) users.add(connection.userId);
    }
    return [...users];
  }
}
