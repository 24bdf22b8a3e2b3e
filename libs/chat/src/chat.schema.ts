import type { FeatureSchema } from '@numerai/database';
import { ChatMessageEntity } from './chat-message.entity';
import { ChatReadMarkerEntity } from './chat-read-marker.entity';
import { ChatSystemMessages1733500000000 } from './migrations/1733500000000-chat-system-messages';
import { ChatInsertFunction1733900000000 } from './migrations/1733900000000-chat-insert-function';

/** The chat's tables (chat_messages, chat_read_markers) and the migrations of its own (the PostgreSQL insert function among them). */
export const CHAT_SCHEMA: FeatureSchema = {
  entities: [ChatMessageEntity, ChatReadMarkerEntity],
  migrations: [ChatSystemMessages1733500000000, ChatInsertFunction1733900000000],
};
