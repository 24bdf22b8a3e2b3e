import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppConfig } from '@numerai/config';
import { CurrentUser, Principal, Public } from '@numerai/common';
import { CreatePushSubscriptionDto } from './dto/push-subscription.dto';
import { PushSubscriptionsService } from './push-subscriptions.service';

@ApiTags('push')
@Controller('api/push')
export class PushController {
  constructor(
    private readonly subscriptions: PushSubscriptionsService,
    private readonly config: AppConfig,
  ) {}

  /** Public: it is the key browsers pass to `pushManager.subscribe({applicationServerKey})`. */
  @Public()
  @Get('vapid-public-key')
  @ApiOkResponse({ description: '{public_key}: the VAPID public key, base64url' })
  vapidPublicKey() {
    return { public_key: this.config.push.vapid.publicKey };
  }

  @Post('subscriptions')
  @ApiBearerAuth()
  @ApiCreatedResponse({ description: '{id, endpoint, created_at}; 200 with the same when the caller had it already' })
  async subscribe(
    @CurrentUser() user: Principal,
    @Body() dto: CreatePushSubscriptionDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { created, subscription } = await this.subscriptions.subscribe(user.id, dto);
    res.status(created ? 201 : 200);
    return subscription;
  }

  @Get('subscriptions')
  @ApiBearerAuth()
  @ApiOkResponse({ description: '[{id, endpoint, created_at}], oldest first' })
  list(@CurrentUser() user: Principal) {
    return this.subscriptions.list(user.id);
  }

  @Delete('subscriptions/:id')
  @ApiBearerAuth()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'deleted; 404 for unknown ids and other users’ alike' })
  async unsubscribe(@CurrentUser() user: Principal, @Param('id') id: string): Promise<void> {
    await this.subscriptions.unsubscribe(user.id, id);
  }
}
