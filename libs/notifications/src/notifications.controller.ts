import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles, RolesGuard } from '@numerai/auth';
import { CurrentUser, Principal } from '@numerai/common';
import { BroadcastNotificationDto, CreateNotificationDto, ListNotificationsQuery } from './dto/notification.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOkResponse({
    description:
      '{items: notification[], next_before} newest first; with after_seq oldest first and {…, next_after_seq}',
  })
  list(@CurrentUser() user: Principal, @Query() query: ListNotificationsQuery) {
    return this.notifications.list(user.id, {
      unreadOnly: query.unread === true,
      before: query.before,
      afterSeq: query.after_seq,
      limit: query.limit,
    });
  }

  @Get('unread-count')
  @ApiOkResponse({ description: '{count}' })
  async unreadCount(@CurrentUser() user: Principal) {
    return { count: await this.notifications.unreadCount(user.id) };
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOkResponse({ description: '{count: how many changed}' })
  async readAll(@CurrentUser() user: Principal) {
    return { count: await this.notifications.markAllRead(user.id) };
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the notification' })
  markRead(@CurrentUser() user: Principal, @Param('id') id: string) {
    return this.notifications.markRead(user.id, id);
  }
}

@ApiTags('notifications')
@ApiBearerAuth()
@UseGuards(RolesGuard)
@Roles('admin')
@Controller('api/admin/notifications')
export class AdminNotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Post()
  @ApiCreatedResponse({ description: 'the notification' })
  create(@Body() dto: CreateNotificationDto) {
    return this.notifications.notifyOne(dto.user_id, dto);
  }

  @Post('broadcast')
  @ApiCreatedResponse({ description: '{count}: how many users were notified (unknown ids are skipped)' })
  async broadcast(@Body() dto: BroadcastNotificationDto) {
    const { user_ids, ...notification } = dto;
    return { count: await this.notifications.notifyMany(user_ids, notification) };
  }
}
