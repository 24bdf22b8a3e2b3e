import type { ChatMessageData, ClientFrameMap, ServerFrame } from '@numerai/protocol';
import type { AnyClientFrame, KeepAliveOptions } from './connection';
import { StreamSession } from './stream-session';
import type { ChatWebSocketOptions } from './types';

type ChatMessageFrame = ClientFrameMap['chat_message'];

/**
 * The consultation chat, `/ws/chat/{consultation_id}/`. Resumes with `last_seq` (or
 * `last_message_id`), and never stores a message twice: a `chat_message` written but not yet
 * echoed back is sent again after a drop with the same `client_id`, which the server answers
 * with the stored message.
 */
export class ChatSession extends StreamSession<'chat', ChatMessageData> {
  /** chat_message frames written but not yet echoed back: resent after a drop (same client_id). */
  private readonly unconfirmed = new Map<string, ChatMessageFrame>();

  constructor(
    readonly consultationId: string,
    token: string | null | undefined,
    options: ChatWebSocketOptions & KeepAliveOptions = {},
  ) {
    super('chat', token, options, { id: options.lastMessageId }, { consultation_id: consultationId });
    this.start(options);
  }

  /** Id of the newest chat message seen (the resume point of servers that send no `seq`). */
  get lastMessageId(): string | undefined {
    return this.resumePoint.id;
  }

  override get queuedFrames(): readonly AnyClientFrame[] {
    return [...this.unconfirmed.values(), ...this.connection.queuedFrames];
  }

  protected deliver(message: ChatMessageData): void {
    if (message.client_id) this.acknowledge(message.client_id);
    this.connection.dispatch({ type: 'chat_message', data: message });
  }

  protected override receive(frame: ServerFrame): void {
    // The server rejected the message with this client_id: sending it again would not help.
    if (frame.type === 'error' && frame.ref) this.acknowledge(frame.ref);
    super.receive(frame);
  }

  protected override written(frame: AnyClientFrame): void {
    if (frame.type === 'chat_message' && frame.client_id) this.unconfirmed.set(frame.client_id, frame);
  }

  protected override takeUnconfirmed(): AnyClientFrame[] {
    const frames = [...this.unconfirmed.values()];
    this.unconfirmed.clear();
    return frames;
  }

  /** The server stored (or rejected) the message with this client_id: never send it again. */
  private acknowledge(clientId: string): void {
    this.unconfirmed.delete(clientId);
    this.connection.unqueue((frame) => frame.type === 'chat_message' && frame.client_id === clientId);
  }
}
