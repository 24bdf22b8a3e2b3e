import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '@numerai/auth';
import { NotificationEntity } from './notification.entity';
import { NotificationPreferencesEntity } from './preferences/notification-preferences.entity';
import { UsersModule } from '@numerai/users';
import { ChatNotifier } from './chat-notifier';
import { AdminNotificationsController, NotificationsController } from './notifications.controller';
import { NotificationsGateway } from './notifications.gateway';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { PreferencesController } from './preferences/preferences.controller';
import { PreferencesRepository } from './preferences/preferences.repository';
import { PreferencesService } from './preferences/preferences.service';
import { UnreadCountRecount } from './unread-count-recount';
import { UnreadCountSockets } from './unread-count-sockets';
import { NotificationsAccountData } from './notifications-account-data';

@Module({
  imports: [TypeOrmModule.forFeature([NotificationEntity, NotificationPreferencesEntity]), AuthModule, UsersModule],
  controllers: [PreferencesController, NotificationsController, AdminNotificationsController],
  providers: [
    NotificationsAccountData,
    NotificationsService,
    NotificationsRepository,
    NotificationsGateway,
    UnreadCountRecount,
    UnreadCountSockets,
    ChatNotifier,
    PreferencesRepository,
    PreferencesService,
  ],
  exports: [NotificationsService, PreferencesService],
})
export class NotificationsModule {}
