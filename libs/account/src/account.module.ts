import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule, SessionEntity } from '@numerai/auth';
import { ConsultationsModule, ConsultationEntity } from '@numerai/consultations';
import { ChatMessageEntity, ChatReadMarkerEntity } from '@numerai/chat';
import { NotificationDeliveryEntity } from '@numerai/scheduler';
import { NotificationEntity, NotificationPreferencesEntity } from '@numerai/notifications';
import { PushSubscriptionEntity } from '@numerai/push';
import { ReadingEntity } from '@numerai/readings';
import { UserBlockEntity } from '@numerai/blocks';
import { UsersModule } from '@numerai/users';
import { AccountController } from './account.controller';
import { AccountEraser } from './account-eraser';
import { AccountExporter } from './account-exporter';
import { AccountModeration } from './account-moderation';
import { AdminUsersController } from './admin-users.controller';

/**
 * Whole-account operations that need both the user data and the sessions: erasure,
 * export, admin blocking. A module of its own so libs/users need not depend on libs/auth.
 */
@Module({
  imports: [
    UsersModule,
    AuthModule,
    ConsultationsModule,
    TypeOrmModule.forFeature([
      ConsultationEntity,
      ChatMessageEntity,
      ChatReadMarkerEntity,
      NotificationEntity,
      ReadingEntity,
      NotificationPreferencesEntity,
      NotificationDeliveryEntity,
      PushSubscriptionEntity,
      SessionEntity,
      UserBlockEntity,
    ]),
  ],
  controllers: [AccountController, AdminUsersController],
  providers: [AccountEraser, AccountExporter, AccountModeration],
})
export class AccountModule {}
