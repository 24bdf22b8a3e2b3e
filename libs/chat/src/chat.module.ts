import { Module } from '@nestjs/common';
import { ConsultationsModule } from '@numerai/consultations';
import { ChatController } from './chat.controller';
import { ChatGateway } from './chat.gateway';
import { ChatMessagesRepository } from './chat-messages.repository';
import { ChatService } from './chat.service';
import { ConsultationStatusCache } from './consultation-status.cache';
import { LifecycleMessages } from './lifecycle-messages';
import { MessageWriter } from './message-writer';
import { TypingTracker } from './typing-tracker';

@Module({
  imports: [ConsultationsModule],
  controllers: [ChatController],
  providers: [
    ChatGateway,
    ChatService,
    ChatMessagesRepository,
    ConsultationStatusCache,
    LifecycleMessages,
    MessageWriter,
    TypingTracker,
  ],
  exports: [ChatService, MessageWriter],
})
export class ChatModule {}
