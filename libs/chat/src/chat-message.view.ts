import type { ChatMessageEntity } from './chat-message.entity';
import type { ChatMessageData } from '@numerai/protocol';

/**
 * The `data` of a chat_message frame, also the `message` of the REST history. A system message
 * stores only its sentence ("cancelled the consultation"); the name in front is the sender's name
 * as it is now, so a rename or an erasure ("Deleted user") shows everywhere, and no name is stored.
 */
export function toChatMessageData(message: ChatMessageEntity, senderName: string): ChatMessageData {
  const system = message.messageType === 'system';
  const data: ChatMessageData = {
    id: message.id,
    sender_id: message.senderId,
    sender_name: senderName,
    content: system ? `${senderName} ${message.content}` : message.content,
    created_at: message.createdAt.toISOString(),
    message_type: system ? 'system' : 'text',
    seq: message.seq,
  };
  if (message.event) data.event = message.event;
  if (message.clientId) data.client_id = message.clientId;
  return data;
}
