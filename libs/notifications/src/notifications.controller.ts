import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles, RolesGuard } from '@numerai/auth';
import { ApiErrors, ApiPageResponse, CurrentUser, Principal } from '@numerai/common';
import { notificationData } from '@numerai/protocol';
import { BroadcastNotificationDto, CreateNotificationDto, ListNotificationsQuery } from './dto/notification.dto';
import { NotificationsService } from './notifications.service';

/** `{count}` answers. */
const COUNT = { type: 'object', required: ['count'], properties: { count: { type: 'integer', minimum: 0 } } };

@ApiTags('notifications')
@Controller('api/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({ summary: 'A page of the caller’s notifications' })
  @ApiPageResponse(
    notificationData.json,
    'newest first; with after_seq oldest first, next_before null and next_after_seq; ' +
      'each item is the data of a notification frame',
    { afterSeq: true },
  )
  @ApiErrors({ invalid: 'Both before and after_seq', not_found: 'before is not one of the caller’s notifications' })
  list(@CurrentUser() user: Principal, @Query() query: ListNotificationsQuery) {
    return this.notifications.list(user.id, {
      unreadOnly: query.unread === true,
      before: query.before,
      afterSeq: query.after_seq,
      limit: query.limit,
    });
  }

  @Get('unread-count')
  @ApiOperation({ summary: 'How many of the caller’s notifications are unread' })
  @ApiOkResponse({ schema: COUNT, description: 'count: the unread notifications' })
  async unreadCount(@CurrentUser() user: Principal) {
    return { count: await this.notifications.unreadCount(user.id) };
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark every notification of the caller read' })
  @ApiOkResponse({ schema: COUNT, description: 'count: how many changed' })
  async readAll(@CurrentUser() user: Principal) {
    return { count: await this.notifications.markAllRead(user.id) };
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark one notification read' })
  @ApiOkResponse({ schema: notificationData.json, description: 'the notification' })
  @ApiErrors({ not_found: 'No such notification, or not the caller’s' })
  markRead(@CurrentUser() user: Principal, @Param('id') id: string) {
    return this.notifications.markRead(user.id, id);
  }
}

@ApiTags('notifications')
@ApiErrors({ not_allowed: 'Admins only' })
@UseGuards(RolesGuard)
@Roles('admin')
@Controller('api/admin/notifications')
export class AdminNotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Post()
  @ApiOperation({ summary: 'Send one user a notification (admins only)' })
  @ApiCreatedResponse({ schema: notificationData.json, description: 'the notification' })
  @ApiErrors({
    not_found: 'No such user (or an erased one)',
    conflict: 'The user has switched this notification type off',
  })
  create(@Body() dto: CreateNotificationDto) {
    return this.notifications.notifyOne(dto.user_id, dto);
  }

  @Post('broadcast')
  @ApiOperation({ summary: 'Send many users the same notification (admins only)' })
  @ApiCreatedResponse({ schema: COUNT, description: 'count: how many users were notified (unknown ids are skipped)' })
  async broadcast(@Body() dto: BroadcastNotificationDto) {
    const { user_ids, ...notification } = dto;
    return { count: await this.notifications.notifyMany(user_ids, notification) };
  }
}
