import { Module } from '@nestjs/common';
import { ConsultationsModule } from '@numerai/consultations';
import { ChatOpenings } from './chat-openings';
import { ChatMessagesRepository } from './chat-messages.repository';
import { ChatService } from './chat.service';
import { ConsultationStatusCache } from './consultation-status.cache';
import { LifecycleMessages } from './lifecycle-messages';
import { MessageWriter } from './message-writer';
import { TypingTracker } from './typing-tracker';
import { ChatUnreadCounter } from './chat-unread-counter';

/**
 * Chat without its transports (REST history, the WebSocket gateway): storing messages and
 * writing each consultation lifecycle step into the chat. The ops CLI runs on this alone, so
 * what it books and starts leaves the same system messages as the API.
 */
@Module({
  imports: [ConsultationsModule],
  providers: [
    ChatOpenings,
    ChatService,
    ChatUnreadCounter,
    ChatMessagesRepository,
    ConsultationStatusCache,
    LifecycleMessages,
    MessageWriter,
    TypingTracker,
  ],
  exports: [ChatOpenings, ChatService, MessageWriter],
})
export class ChatCoreModule {}
