import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThan, Repository } from 'typeorm';
import {
  AccountDataSection,
  deleteUserRows,
  EXPORT_BATCH,
  type ErasureContext,
  exportedRows,
  iso,
  jsonArray,
  type JsonMember,
  keysetPages,
} from '@numerai/common';
import { ConsultationsService } from '@numerai/consultations';
import { UsersService } from '@numerai/users';
import { ChatMessageEntity } from './chat-message.entity';
import { toChatMessageData } from './chat-message.view';
import { ChatReadMarkerEntity } from './chat-read-marker.entity';

/**
 * The messages a user sent and their read markers. On erasure the markers go; the messages stay
 * (the other participant's history), named "Deleted user" when read.
 */
@Injectable()
export class ChatAccountData extends AccountDataSection {
  constructor(
    @InjectRepository(ChatMessageEntity) private readonly messages: Repository<ChatMessageEntity>,
    @InjectRepository(ChatReadMarkerEntity) private readonly readMarkers: Repository<ChatReadMarkerEntity>,
    private readonly consultations: ConsultationsService,
    private readonly users: UsersService,
  ) {
    super();
  }

  exportMembers(userId: string): JsonMember[] {
    return [
      ['messages', this.sent(userId)],
      ['read_markers', exportedRows(this.readMarkers, { userId }, 'consultationId', toReadMarkerExport)],
    ];
  }

  erasure({ userId }: ErasureContext) {
    return deleteUserRows(userId, 'chat_read_markers');
  }

  /** What they sent, with the consultation it was sent in, under their own name. */
  private async *sent(userId: string): AsyncGenerator<string> {
    const { fullName } = await this.users.getById(userId);
    yield* jsonArray(this.sentPages(userId), (message) => ({
      consultation_id: message.consultationId,
      ...toChatMessageData(message, fullName),
    }));
  }

  /**
   * By consultation, each in chat order (seq): a message's sender took part in its consultation,
   * and (consultation_id, seq) is indexed where sender_id is not.
   */
  private async *sentPages(userId: string): AsyncGenerator<ChatMessageEntity[]> {
    for await (const consultations of this.consultations.participantPages(userId, EXPORT_BATCH)) {
      for (const { id: consultationId } of consultations) {
        yield* keysetPages<ChatMessageEntity>(EXPORT_BATCH, (after, take) =>
          this.messages.find({
            where: { consultationId, senderId: userId, ...(after ? { seq: MoreThan(after.seq) } : {}) },
            order: { seq: 'ASC' },
            take,
          }),
        );
      }
    }
  }
}

function toReadMarkerExport(marker: ChatReadMarkerEntity) {
  return {
    consultation_id: marker.consultationId,
    last_read_message_id: marker.lastReadMessageId,
    last_read_seq: marker.lastReadSeq,
    read_at: iso(marker.readAt),
  };
}
