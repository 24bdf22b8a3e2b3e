import { Injectable } from '@nestjs/common';
import { ConsultationLifecycleEvent, consultationRoom, DomainEventMap, EventBus } from '@numerai/events';
import { NotificationsService } from '@numerai/notifications';
import { ConnectionDirectory } from '@numerai/realtime';
import { ContextLogger, LoggerFactory } from '@numerai/logging';

const COPY: Record<ConsultationLifecycleEvent, { title: string; message: (actor: string) => string }> = {
  booked: { title: 'Consultation booked', message: (actor) => `${actor} booked a consultation with you` },
  started: { title: 'Consultation started', message: (actor) => `${actor} started your consultation` },
  completed: { title: 'Consultation completed', message: (actor) => `${actor} marked your consultation completed` },
  cancelled: { title: 'Consultation cancelled', message: (actor) => `${actor} cancelled your consultation` },
};

/**
 * Tells the other participant about each lifecycle step (`consultation_booked`, `_started`,
 * `_completed`, `_cancelled`), on the instance that made the change, unless they have that
 * consultation's chat open somewhere (the chat shows it to them already).
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
    const copy = COPY[event.event];
    await this.notifications.notify(recipient, {
      title: copy.title,
      message: copy.message(event.actor_name),
      notification_type: `consultation_${event.event}`,
      data: { consultation_id: event.consultation_id, status: event.status },
    });
  }
}
