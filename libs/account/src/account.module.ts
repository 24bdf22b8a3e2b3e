import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '@numerai/auth';
import { ConsultationsModule } from '@numerai/consultations';
import {
  ChatMessageEntity,
  ChatReadMarkerEntity,
  ConsultationEntity,
  NotificationDeliveryEntity,
  NotificationEntity,
  NotificationPreferencesEntity,
  PushSubscriptionEntity,
  ReadingEntity,
  SessionEntity,
  UserBlockEntity,
} from '@numerai/database';
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
