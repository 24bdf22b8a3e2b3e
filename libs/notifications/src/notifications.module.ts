import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '@numerai/auth';
import { NotificationEntity } from '@numerai/database';
import { UsersModule } from '@numerai/users';
import { ChatNotifier } from './chat-notifier';
import { AdminNotificationsController, NotificationsController } from './notifications.controller';
import { NotificationsGateway } from './notifications.gateway';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

@Module({
  imports: [TypeOrmModule.forFeature([NotificationEntity]), AuthModule, UsersModule],
  controllers: [NotificationsController, AdminNotificationsController],
  providers: [NotificationsService, NotificationsRepository, NotificationsGateway, ChatNotifier],
  exports: [NotificationsService],
})
export class NotificationsModule {}
