import { ConsultationsService, isParticipant } from '@numerai/consultations';
import { isUuid } from '@numerai/database';
import { EventBus } from '@numerai/events';
import { LoggerFactory } from '@numerai/logging';
import {
  type ChatContext,
  chatEndpoint,
  type ChatMessageData,
  type ClientFrameMap,
  CloseCode,
  type ServerFrameMap,
} from '@numerai/protocol';
import {
  Admission,
  ClientConnection,
  ConnectionRegistry,
  EndpointHandlers,
  OrderedRooms,
  PagedReplay,
  RealtimeEndpoint,
  RealtimeGateway,
  RealtimeRuntime,
  Refusal,
  UpgradeContext,
} from '@numerai/realtime';
import { ChatService } from './chat.service';

type Chat = typeof chatEndpoint;
type ChatConnection = ClientConnection<ChatContext>;
const roomOf = chatEndpoint.room;

/** `/ws/chat/{consultation_id}/`: the consultation's two participants, nobody else. */
@RealtimeEndpoint(chatEndpoint)
export class ChatGateway extends RealtimeGateway<Chat> implements EndpointHandlers<Chat> {
  /** Each consultation's messages reach this instance's sockets in seq order, once (see OrderedRooms). */
  private readonly ordered: OrderedRooms<ChatMessageData>;

  constructor(
    runtime: RealtimeRuntime,
    private readonly chat: ChatService,
    private readonly consultations: ConsultationsService,
    private readonly registry: ConnectionRegistry,
    private readonly replay: PagedReplay,
    events: EventBus,
    loggers: LoggerFactory,
  ) {
    super(runtime, chatEndpoint);
    this.ordered = new OrderedRooms({
      logger: loggers.forContext('Ordered:chat'),
      seqOf: (message) => message.seq ?? 0,
      source: {
        head: (consultationId) => this.chat.lastSeq(consultationId),
        after: (consultationId, afterSeq, limit) => this.chat.messagesAfter(consultationId, afterSeq, limit),
      },
      deliver: (consultationId, message) =>
        this.registry.broadcast(roomOf(consultationId), { type: 'chat_message', data: message }),
    });
    events.on('chat.message_stored', ({ consultation_id, message }) => this.ordered.accept(consultation_id, message));
    events.on('chat.typing', (typing) =>
      this.registry.broadcast(
        roomOf(typing.consultation_id),
        { type: 'typing_indicator', user_id: typing.user_id, user_name: typing.user_name, is_typing: typing.is_typing },
        (connection) => connection.userId !== typing.user_id,
      ),
    );
    events.on('chat.read', (read) =>
      this.registry.broadcast(
        roomOf(read.consultation_id),
        {
          type: 'read_receipt',
          message_id: read.message_id,
          user_id: read.user_id,
          read_at: read.read_at,
          seq: read.seq,
        },
        (connection) => connection.id !== read.origin_connection_id,
      ),
    );
  }

  async admit({ params, principal }: UpgradeContext): Promise<Admission<ChatContext> | Refusal> {
    const consultationId = params.consultation_id;
    if (!isUuid(consultationId)) {
      return { closeCode: CloseCode.BadRequest, code: 'validation_failed', message: 'consultation_id must be a UUID' };
    }
    const consultation = await this.consultations.findById(consultationId);
    if (!consultation) return { closeCode: CloseCode.NotFound, code: 'not_found', message: 'Consultation not found' };
    if (!isParticipant(consultation, principal.id)) {
      return {
        closeCode: CloseCode.Forbidden,
        code: 'forbidden',
        message: 'You do not take part in this consultation',
      };
    }
    const context: ChatContext = { consultationId, participantIds: [consultation.userId, consultation.numerologistId] };
    return { room: roomOf(consultationId), context };
  }

  established(connection: ChatConnection) {
    return { message: 'Connected to chat', consultation_id: connection.context.consultationId };
  }

  /**
   * `?last_seq=` or `?last_message_id=` replays what was stored after that position (paged,
   * bounded, see PagedReplay), then continues live with no gap and no duplicate.
   */
  async opened(connection: ChatConnection, query: URLSearchParams): Promise<void> {
    const room = connection.context;
    // Synchronously, before anything can be published past us: this instance now orders the room.
    const liveFrom = this.ordered.join(room.consultationId);
    if (!query.has('last_seq') && !query.has('last_message_id')) return;
    // Subscribed already (the registry has us): the replay holds live frames while it runs.
    await this.replay.resume(connection, {
      type: 'chat_message',
      liveFrom,
      afterSeq: () => this.chat.resumePoint(room, query),
      read: (after, limit) => this.chat.messagesAfter(room.consultationId, after, limit),
    });
  }

  closed(connection: ChatConnection): void {
    const room = connection.context;
    this.ordered.leave(room.consultationId);
    const members = this.registry.room(roomOf(room.consultationId));
    for (const other of members ?? []) if (other.userId === connection.userId) return;
    this.chat.stopTyping(room, connection.userId);
  }

  async onChatMessage(connection: ChatConnection, frame: ClientFrameMap['chat_message']) {
    const duplicate = await this.chat.send(connection.user, connection.context, frame.message, frame.client_id);
    return duplicate ? ({ type: 'chat_message', data: duplicate } satisfies ServerFrameMap['chat_message']) : undefined;
  }

  onTyping(connection: ChatConnection, frame: ClientFrameMap['typing']): void {
    this.chat.setTyping(connection.user, connection.context, frame.is_typing);
  }

  async onReadReceipt(connection: ChatConnection, frame: ClientFrameMap['read_receipt']): Promise<void> {
    await this.chat.markRead(connection.user, connection.context, frame.message_id, connection.id);
  }
}
