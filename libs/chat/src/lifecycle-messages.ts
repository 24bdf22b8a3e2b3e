import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { ConsultationLifecycleEvent, DomainEventMap, EventBus } from '@numerai/events';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { ChatService } from './chat.service';

/**
 * The sentence each step leaves in the chat. Stored without a name: the reader sees the name of
 * the participant who caused it put in front when the message is read (toChatMessageData).
 */
const SENTENCE: Record<ConsultationLifecycleEvent, string> = {
  booked: 'booked this consultation',
  started: 'started the consultation',
  completed: 'marked the consultation completed',
  cancelled: 'cancelled the consultation',
};

/**
 * Each lifecycle step (booked, started, completed, cancelled) becomes a `system` message in the
 * consultation's chat, written once, by the instance that made the change.
 */
@Injectable()
export class LifecycleMessages implements BeforeApplicationShutdown {
  private readonly logger: ContextLogger;
  /** Messages being written: the REST answer (or the CLI command) has already returned. */
  private readonly writing = new Set<Promise<void>>();

  constructor(
    events: EventBus,
    private readonly chat: ChatService,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('LifecycleMessages');
    events.onOrigin('consultation.lifecycle', (event) => {
      const writing = this.post(event)
        .catch((error: unknown) => this.logger.error(error instanceof Error ? error : String(error)))
        .finally(() => this.writing.delete(writing));
      this.writing.add(writing);
    });
  }

  /** Before the writer thread and the database close: a step just taken is not lost to a shutdown (or a CLI exiting). */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.writing]);
  }

  private post(event: DomainEventMap['consultation.lifecycle']): Promise<void> {
    return this.chat.postSystemMessage(
      { id: event.actor_id, name: event.actor_name },
      { consultationId: event.consultation_id, participantIds: [event.user_id, event.numerologist_id] },
      `consultation_${event.event}`,
      SENTENCE[event.event],
    );
  }
}
