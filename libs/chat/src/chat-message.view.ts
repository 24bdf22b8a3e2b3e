import type { ChatMessageEntity } from '@numerai/database';
import type { ChatMessageData } from '@numerai/protocol';

/** The `data` of a chat_message frame, also the `message` of the REST history. */
export function toChatMessageData(message: ChatMessageEntity, senderName: string): ChatMessageData {
  const data: ChatMessageData = {
    id: message.id,
    sender_id: message.senderId,
    sender_name: senderName,
    content: message.content,
    created_at: message.createdAt.toISOString(),
    message_type: message.messageType === 'system' ? 'system' : 'text',
    seq: message.seq,
  };
  if (message.event) data.event = message.event;
  if (message.clientId) data.client_id = message.clientId;
  return data;
}
