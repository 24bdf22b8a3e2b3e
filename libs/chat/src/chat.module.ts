import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConsultationsModule } from '@numerai/consultations';
import { UsersModule } from '@numerai/users';
import { ChatAccountData } from './chat-account-data';
import { ChatMessageEntity } from './chat-message.entity';
import { ChatReadMarkerEntity } from './chat-read-marker.entity';
import { ChatCoreModule } from './chat-core.module';
import { ChatController } from './chat.controller';
import { ChatGateway } from './chat.gateway';

@Module({
  imports: [
    ChatCoreModule,
    ConsultationsModule,
    UsersModule,
    TypeOrmModule.forFeature([ChatMessageEntity, ChatReadMarkerEntity]),
  ],
  controllers: [ChatController],
  providers: [ChatAccountData, ChatGateway],
  exports: [ChatCoreModule],
})
export class ChatModule {}
