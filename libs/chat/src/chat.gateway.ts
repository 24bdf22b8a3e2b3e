import { ConsultationsService, isParticipant } from '@numerai/consultations';
import { isUuid } from '@numerai/database';
import { EventBus } from '@numerai/events';
import {
  type ChatContext,
  chatEndpoint,
  chatStream,
  type ClientFrameMap,
  CloseCode,
  type ServerFrameMap,
} from '@numerai/protocol';
import {
  Admission,
  ClientConnection,
  ConnectionRegistry,
  EndpointHandlers,
  RealtimeEndpoint,
  RealtimeGateway,
  RealtimeRuntime,
  Refusal,
  StreamDeliveries,
  StreamDelivery,
  UpgradeContext,
} from '@numerai/realtime';
import { ChatOpenings } from './chat-openings';
import { ChatService } from './chat.service';

type Chat = typeof chatEndpoint;
type ChatConnection = ClientConnection<ChatContext>;
const roomOf = chatEndpoint.room;

/** `/ws/chat/{consultation_id}/`: the consultation's two participants, nobody else. */
@RealtimeEndpoint(chatEndpoint)
export class ChatGateway extends RealtimeGateway<Chat> implements EndpointHandlers<Chat> {
  /** Each consultation's messages: ordered, resumed and delivered by the declared stream (chatStream). */
  private readonly messages: StreamDelivery<typeof chatStream>;

  constructor(
    runtime: RealtimeRuntime,
    private readonly chat: ChatService,
    private readonly consultations: ConsultationsService,
    private readonly registry: ConnectionRegistry,
    openings: ChatOpenings,
    streams: StreamDeliveries,
    events: EventBus,
  ) {
    super(runtime, chatEndpoint);
    this.messages = streams.create(chatStream, {
      source: chat.messageSource,
      // In the room already, live frames held: the features' state (a running session's
      // session_state) comes before the replay, and a change committed meanwhile follows it.
      opening: async (connection, consultationId) => {
        for (const frame of await openings.frames(consultationId)) connection.send(frame);
      },
    });
    events.on('chat.message_stored', ({ consultation_id, message }) => this.messages.accept(consultation_id, message));
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
   * First the state of features built on chat (ChatOpenings: a live session's `session_state`).
   * `?last_seq=` or `?last_message_id=` replays what was stored after that position (paged,
   * bounded, see StreamDelivery), then continues live with no gap and no duplicate.
   */
  opened(connection: ChatConnection, query: URLSearchParams): Promise<void> {
    return this.messages.open(connection, connection.context.consultationId, query);
  }

  closed(connection: ChatConnection): void {
    const room = connection.context;
    this.messages.close(room.consultationId);
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
