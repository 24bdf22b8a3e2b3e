import { Module } from '@nestjs/common';
import { ConsultationsModule } from '@numerai/consultations';
import { ChatCoreModule } from './chat-core.module';
import { ChatController } from './chat.controller';
import { ChatGateway } from './chat.gateway';

@Module({
  imports: [ChatCoreModule, ConsultationsModule],
  controllers: [ChatController],
  providers: [ChatGateway],
  exports: [ChatCoreModule],
})
export class ChatModule {}
