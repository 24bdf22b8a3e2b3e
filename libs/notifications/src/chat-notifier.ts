import { Injectable } from '@nestjs/common';
import { preview } from '@numerai/common';
import { consultationRoom, EventBus } from '@numerai/events';
import { ConnectionDirectory } from '@numerai/realtime';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { NotificationsService } from './notifications.service';

/** How much of a chat message a notification previews, in code points. */
const PREVIEW_CHARS = 140;
/** The one title of every chat_message notification (the migration 1733780000000 gave stored ones it too). */
export const CHAT_MESSAGE_TITLE = 'New message';

/**
 * Chat announces every stored message; this decides, once (on the instance that stored
 * it), whether the other participant needs a notification: only when they have no chat
 * connection open to that consultation anywhere. And when a reader's marker moves, their
 * notifications of the messages it passed are read (the bell agrees with the chat).
 */
@Injectable()
export class ChatNotifier {
  private readonly logger: ContextLogger;

  constructor(
    events: EventBus,
    private readonly directory: ConnectionDirectory,
    private readonly notifications: NotificationsService,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('ChatNotifier');
    events.onOrigin('chat.message_stored', ({ consultation_id, participant_ids, message }) => {
      const recipient = participant_ids.find((id) => id !== message.sender_id);
      // A system message's own notification is the lifecycle one (consultation_started, …), not a second chat_message.
      if (!recipient || message.message_type === 'system') return;
      this.notifyIfAway(recipient, consultation_id, message.id, message.sender_id, message.content).catch(
        (error: unknown) => this.logger.error(error instanceof Error ? error : String(error)),
      );
    });
    events.onOrigin('chat.read', ({ consultation_id, user_id, seq }) => {
      this.notifications
        .markChatReadUpTo(user_id, consultation_id, seq)
        .catch((error: unknown) => this.logger.error(error instanceof Error ? error : String(error)));
    });
  }

  /**
   * The title is fixed: a sender's name is their own choice and never becomes a title. The sender
   * is in `data` by id (the app knows the name from the consultation), so no copy of the name is
   * stored in the recipient's notifications.
   */
  private async notifyIfAway(
    userId: string,
    consultationId: string,
    messageId: string,
    senderId: string,
    text: string,
  ) {
    if (await this.directory.hasRoomConnection(userId, consultationRoom(consultationId))) return;
    await this.notifications.notify(userId, {
      title: CHAT_MESSAGE_TITLE,
      message: preview(text, PREVIEW_CHARS),
      notification_type: 'chat_message',
      data: { consultation_id: consultationId, message_id: messageId, sender_id: senderId },
    });
  }
}
