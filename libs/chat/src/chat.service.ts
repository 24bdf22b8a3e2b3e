import { Injectable } from '@nestjs/common';
import {
  ClosedError,
  DEFAULT_PAGE_SIZE,
  InvalidError,
  NotFoundError,
  Page,
  type Principal,
  toPage,
  UnavailableError,
} from '@numerai/common';
import { ConsultationsService, isChatOpen } from '@numerai/consultations';
import { isUuid } from '@numerai/database';
import { EventBus } from '@numerai/events';
import type { ChatMessageData } from '@numerai/protocol';
import type { StreamSource } from '@numerai/realtime';
import { toChatMessageData } from './chat-message.view';
import { messageContent } from './message-text';
import { ChatMessagesRepository } from './chat-messages.repository';
import { type HistoryQuery, positionsNamed } from './dto/history-query';
import { ConsultationStatusCache } from './consultation-status.cache';
import { MessageWriter } from './message-writer';
import { TypingTracker } from './typing-tracker';

/** A page of REST history: `next_before` for newest-first pages, `next_after_seq` for `after_seq` ones. */
export type HistoryPage = Page<ChatMessageData> & { next_after_seq?: number | null };

/** The chat room a connection belongs to: which consultation and who takes part. */
export interface ChatRoom {
  consultationId: string;
  participantIds: [string, string];
}

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
      throw new ClosedError('This consultation has ended; its chat is read-only');
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
      throw new UnavailableError(
        'The message could not be stored; it was not delivered. Retry with the same client_id.',
      );
    }
    const data = toChatMessageData(stored.message, sender.name);
    if (!stored.created) return data;
    this.announce(room, data);
    return undefined;
  }

  /**
   * What the consultation itself says in its chat (a lifecycle step, caused by `actor`): stored
   * by the same writer, so it takes the next `seq` and is delivered and replayed like any
   * message. Stored even when the step closed the chat: it is the chat's last word. `sentence`
   * has no name in it: readers see the actor's current name in front (toChatMessageData).
   */
  async postSystemMessage(
    actor: Pick<Principal, 'id' | 'name'>,
    room: ChatRoom,
    event: string,
    sentence: string,
  ): Promise<void> {
    const stored = await this.writer.store({
      consultationId: room.consultationId,
      senderId: actor.id,
      content: sentence,
      clientId: null,
      event,
    });
    this.announce(room, toChatMessageData(stored.message, actor.name));
  }

  private announce(room: ChatRoom, message: ChatMessageData): void {
    this.events.publish('chat.message_stored', {
      consultation_id: room.consultationId,
      participant_ids: room.participantIds,
      message,
    });
  }

  setTyping(user: Principal, room: ChatRoom, isTyping: boolean): void {
    this.typing.set(room.consultationId, user.id, user.name, isTyping);
  }

  stopTyping(room: ChatRoom, userId: string): void {
    this.typing.stop(room.consultationId, userId);
  }

  /** Moves the reader's marker forward to that message's position; announces only real moves. */
  async markRead(reader: Principal, room: ChatRoom, messageId: string, originConnectionId: string): Promise<void> {
    const message = await this.messages.findInConsultation(room.consultationId, messageId);
    if (!message) throw new NotFoundError('No such message in this consultation');
    const readAt = new Date();
    if (!(await this.messages.advanceMarker(room.consultationId, reader.id, message, readAt))) return;
    this.events.publish('chat.read', {
      consultation_id: room.consultationId,
      user_id: reader.id,
      message_id: messageId,
      seq: message.seq,
      read_at: readAt.toISOString(),
      origin_connection_id: originConnectionId,
    });
  }

  /** Where a consultation's stream of messages is read back from (StreamDelivery: replay, gaps, resume ids). */
  readonly messageSource: StreamSource<ChatMessageData> = {
    head: async (consultationId) => (await this.messages.lastSeq(consultationId)) ?? 0,
    after: (consultationId, afterSeq, limit) => this.messages.listAfterSeq(consultationId, afterSeq, limit),
    seqOf: async (consultationId, id) =>
      isUuid(id) ? (await this.messages.findInConsultation(consultationId, id))?.seq : undefined,
  };

  /**
   * REST history for participants only: newest first before a position (`before_seq`, or
   * `before` = a message id), or oldest first from `after_seq` on.
   */
  async history(userId: string, consultationId: string, query: HistoryQuery): Promise<HistoryPage> {
    if (positionsNamed(query) > 1) throw new InvalidError('use at most one of before, before_seq, after_seq');
    await this.consultations.getForParticipant(consultationId, userId);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    if (query.after_seq !== undefined) {
      const rows = await this.messages.listAfterSeq(consultationId, query.after_seq, limit + 1);
      const items = rows.slice(0, limit);
      const more = rows.length > limit;
      return { items, next_before: null, next_after_seq: more ? items[items.length - 1].seq! : null };
    }
    let beforeSeq = query.before_seq;
    if (query.before) {
      const message = await this.messages.findInConsultation(consultationId, query.before);
      if (!message) throw new NotFoundError('Message not found');
      beforeSeq = message.seq;
    }
    const rows = await this.messages.pageBefore(consultationId, beforeSeq, limit);
    return toPage(rows, limit, (row) => row) as Page<ChatMessageData>;
  }
}
