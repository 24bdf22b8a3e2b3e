import { Injectable, NotFoundException } from '@nestjs/common';
import { DEFAULT_PAGE_SIZE, Page, type Principal, toPage } from '@numerai/common';
import { ConsultationsService, isChatOpen } from '@numerai/consultations';
import { isUuid } from '@numerai/database';
import { EventBus } from '@numerai/events';
import type { ChatMessageData } from '@numerai/protocol';
import { WsError } from '@numerai/realtime';
import { messageContent } from './message-text';
import { ChatMessagesRepository } from './chat-messages.repository';
import { ConsultationStatusCache } from './consultation-status.cache';
import { MessageWriter } from './message-writer';
import { TypingTracker } from './typing-tracker';

/** The chat room a connection belongs to: which consultation and who takes part. */
export interface ChatRoom {
  consultationId: string;
  participantIds: [string, string];
}

/** Most messages one replay sends; a client further behind pages through REST history. */
export const MAX_REPLAY = 10_000;

@Injectable()
export class ChatService {
  constructor(
    private readonly writer: MessageWriter,
    private readonly messages: ChatMessagesRepository,
    private readonly statuses: ConsultationStatusCache,
    private readonly typing: TypingTracker,
    private readonly consultations: ConsultationsService,
    private readonly events: EventBus,
  ) {}

  /**
   * Stores the message, then announces it; the announcement is the sender's
   * acknowledgement. A resend of a stored `client_id` returns the stored message and
   * announces nothing (the room already has it).
   */
  async send(sender: Principal, room: ChatRoom, text: string, clientId?: string): Promise<ChatMessageData | undefined> {
    const content = messageContent(text);
    const status = await this.statuses.status(room.consultationId);
    if (!status || !isChatOpen(status)) {
      throw new WsError('consultation_closed', 'This consultation has ended; its chat is read-only');
    }
    let stored;
    try {
      stored = await this.writer.store({
        consultationId: room.consultationId,
        senderId: sender.id,
        content,
        clientId: clientId ?? null,
      });
    } catch {
      throw new WsError(
        'internal',
        'The message could not be stored; it was not delivered. Retry with the same client_id.',
      );
    }
    const data: ChatMessageData = {
      id: stored.message.id,
      sender_id: stored.message.senderId,
      sender_name: sender.name,
      content: stored.message.content,
      created_at: stored.message.createdAt.toISOString(),
      message_type: 'text',
    };
    if (stored.message.clientId) data.client_id = stored.message.clientId;
    if (!stored.created) return data;
    this.events.publish('chat.message_stored', {
      consultation_id: room.consultationId,
      participant_ids: room.participantIds,
      message: data,
    });
    return undefined;
  }

  setTyping(user: Principal, room: ChatRoom, isTyping: boolean): void {
    this.typing.set(room.consultationId, user.id, user.name, isTyping);
  }

  stopTyping(room: ChatRoom, userId: string): void {
    this.typing.stop(room.consultationId, userId);
  }

  /** Moves the reader's marker forward to `messageId`; announces only real moves. */
  async markRead(reader: Principal, room: ChatRoom, messageId: string, originConnectionId: string): Promise<void> {
    const message = await this.messages.findInConsultation(room.consultationId, messageId);
    if (!message) throw new WsError('not_found', 'No such message in this consultation');
    const readAt = new Date();
    if (!(await this.messages.advanceMarker(room.consultationId, reader.id, messageId, readAt))) return;
    this.events.publish('chat.read', {
      consultation_id: room.consultationId,
      user_id: reader.id,
      message_id: messageId,
      read_at: readAt.toISOString(),
      origin_connection_id: originConnectionId,
    });
  }

  /** Messages stored after `lastMessageId` in order, or undefined if that id is not a message of this room. */
  async messagesAfter(room: ChatRoom, lastMessageId: string): Promise<ChatMessageData[] | undefined> {
    if (!isUuid(lastMessageId)) return undefined;
    if (!(await this.messages.findInConsultation(room.consultationId, lastMessageId))) return undefined;
    return this.messages.listAfter(room.consultationId, lastMessageId, MAX_REPLAY);
  }

  /** REST history, newest first, for participants only. */
  async history(userId: string, consultationId: string, before?: string, limit = DEFAULT_PAGE_SIZE) {
    await this.consultations.getForParticipant(consultationId, userId);
    if (before && !(await this.messages.findInConsultation(consultationId, before))) {
      throw new NotFoundException('Message not found');
    }
    const rows = await this.messages.pageBefore(consultationId, before, limit);
    return toPage(rows, limit, (row) => row) as Page<ChatMessageData>;
  }
}
