import { WebSocketGateway } from '@nestjs/websockets';
import { ConsultationsService } from '@numerai/consultations';
import { isUuid } from '@numerai/database';
import { EventBus } from '@numerai/events';
import { type ChatMessageData, CloseCode, type ServerFrameMap } from '@numerai/protocol';
import {
  Admission,
  ClientConnection,
  ConnectionRegistry,
  OnFrame,
  RealtimeGateway,
  RealtimeRuntime,
  Refusal,
  UpgradeContext,
  WsError,
} from '@numerai/realtime';
import { ChatRoom, ChatService } from './chat.service';
import { ChatMessageFrame, ReadReceiptFrame, TypingFrame } from './dto/chat-frames';

const state = (connection: ClientConnection) => connection.context as ChatRoom;
const roomOf = (consultationId: string) => `chat:${consultationId}`;

/** `/ws/chat/{consultation_id}/`: the consultation's two participants, nobody else. */
@WebSocketGateway({ path: '/ws/chat/:consultation_id' })
export class ChatGateway extends RealtimeGateway {
  readonly endpoint = 'chat' as const;

  constructor(
    runtime: RealtimeRuntime,
    private readonly chat: ChatService,
    private readonly consultations: ConsultationsService,
    private readonly registry: ConnectionRegistry,
    events: EventBus,
  ) {
    super(runtime);
    events.on('chat.message_stored', ({ consultation_id, message }) => this.deliverMessage(consultation_id, message));
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
        { type: 'read_receipt', message_id: read.message_id, user_id: read.user_id, read_at: read.read_at },
        (connection) => connection.id !== read.origin_connection_id,
      ),
    );
  }

  async admit({ params, principal }: UpgradeContext): Promise<Admission | Refusal> {
    const consultationId = params.consultation_id;
    if (!isUuid(consultationId)) {
      return { closeCode: CloseCode.BadRequest, code: 'validation_failed', message: 'consultation_id must be a UUID' };
    }
    const consultation = await this.consultations.findById(consultationId);
    if (!consultation) return { closeCode: CloseCode.NotFound, code: 'not_found', message: 'Consultation not found' };
    if (consultation.userId !== principal.id && consultation.numerologistId !== principal.id) {
      return {
        closeCode: CloseCode.Forbidden,
        code: 'forbidden',
        message: 'You do not take part in this consultation',
      };
    }
    const context: ChatRoom = { consultationId, participantIds: [consultation.userId, consultation.numerologistId] };
    return { room: roomOf(consultationId), context };
  }

  established(connection: ClientConnection) {
    return { message: 'Connected to chat', consultation_id: state(connection).consultationId };
  }

  /** `?last_message_id=` replays what was stored after it, then continues live with no gap and no duplicate. */
  async opened(connection: ClientConnection, query: URLSearchParams): Promise<void> {
    const lastMessageId = query.get('last_message_id');
    if (!lastMessageId) return;
    // Subscribed already (the registry has us): hold live frames while the query runs, then
    // send the replay and let through only what it did not contain.
    connection.hold();
    let replay: ChatMessageData[] | undefined;
    const sent = new Set<string>();
    try {
      replay = await this.chat.messagesAfter(state(connection), lastMessageId);
      for (const message of replay ?? []) {
        sent.add(message.id);
        connection.send({ type: 'chat_message', data: message });
      }
      if (replay) connection.send({ type: 'replay_complete', count: replay.length });
    } finally {
      connection.release((frame) => frame.type === 'chat_message' && sent.has(frame.data.id));
    }
    if (!replay) throw new WsError('not_found', 'last_message_id is not a message of this consultation');
  }

  closed(connection: ClientConnection): void {
    const room = state(connection);
    const members = this.registry.room(roomOf(room.consultationId));
    for (const other of members ?? []) if (other.userId === connection.userId) return;
    this.chat.stopTyping(room, connection.userId);
  }

  @OnFrame('chat_message', ChatMessageFrame)
  async onChatMessage(connection: ClientConnection, frame: ChatMessageFrame) {
    const duplicate = await this.chat.send(connection.user, state(connection), frame.message, frame.client_id);
    return duplicate ? ({ type: 'chat_message', data: duplicate } satisfies ServerFrameMap['chat_message']) : undefined;
  }

  @OnFrame('typing', TypingFrame)
  onTyping(connection: ClientConnection, frame: TypingFrame): void {
    this.chat.setTyping(connection.user, state(connection), frame.is_typing);
  }

  @OnFrame('read_receipt', ReadReceiptFrame)
  async onReadReceipt(connection: ClientConnection, frame: ReadReceiptFrame): Promise<void> {
    await this.chat.markRead(connection.user, state(connection), frame.message_id, connection.id);
  }

  private deliverMessage(consultationId: string, message: ChatMessageData): void {
    this.registry.broadcast(roomOf(consultationId), { type: 'chat_message', data: message });
  }
}
