import type { FeatureSchema } from '@numerai/database';
import { ChatMessageEntity } from './chat-message.entity';
import { ChatReadMarkerEntity } from './chat-read-marker.entity';
import { ChatSystemMessages1733500000000 } from './migrations/1733500000000-chat-system-messages';

/** The chat's tables (chat_messages, chat_read_markers) and the migrations of its own. */
export const CHAT_SCHEMA: FeatureSchema = {
  entities: [ChatMessageEntity, ChatReadMarkerEntity],
  migrations: [ChatSystemMessages1733500000000],
};
