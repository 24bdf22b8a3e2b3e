import { Injectable } from '@nestjs/common';
import { preview } from '@numerai/common';
import { ConsultationLifecycleEvent, consultationRoom, DomainEventMap, EventBus } from '@numerai/events';
import { NotificationsService } from '@numerai/notifications';
import { ConnectionDirectory } from '@numerai/realtime';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { LIFECYCLE_COPY } from './lifecycle-copy';

/** How much of the actor's name a notification shows, in code points: a name is the actor's choice, not ours. */
const NAME_CHARS = 40;
/** The steps a client can repeat at will (book, cancel, book again …): these collapse per pair. */
const REPEATABLE: ReadonlySet<ConsultationLifecycleEvent> = new Set(['booked', 'cancelled']);

/**
 * Tells the other participant about each lifecycle step (`consultation_booked`, `_started`,
 * `_completed`, `_cancelled`), on the instance that made the change, unless they have that
 * consultation's chat open somewhere (the chat shows it to them already). Bookings and
 * cancellations collapse per client–numerologist pair: a new one replaces the recipient's unread
 * one (collapse key), so a book/cancel loop leaves one notification and one push, not one per step.
 */
@Injectable()
export class LifecycleNotifier {
  private readonly logger: ContextLogger;

  constructor(
    events: EventBus,
    private readonly directory: ConnectionDirectory,
    private readonly notifications: NotificationsService,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('LifecycleNotifier');
    events.onOrigin('consultation.lifecycle', (event) => {
      this.notifyOther(event).catch((error: unknown) =>
        this.logger.error(error instanceof Error ? error : String(error)),
      );
    });
  }

  private async notifyOther(event: DomainEventMap['consultation.lifecycle']): Promise<void> {
    const recipient = event.actor_id === event.user_id ? event.numerologist_id : event.user_id;
    if (await this.directory.hasRoomConnection(recipient, consultationRoom(event.consultation_id))) return;
    const copy = LIFECYCLE_COPY[event.event];
    await this.notifications.notify(recipient, {
      title: copy.title,
      message: copy.message(preview(event.actor_name, NAME_CHARS)),
      notification_type: `consultation_${event.event}`,
      data: { consultation_id: event.consultation_id, status: event.status },
      collapse_key: REPEATABLE.has(event.event)
        ? `consultation_pair:${event.user_id}:${event.numerologist_id}`
        : undefined,
    });
  }
}
