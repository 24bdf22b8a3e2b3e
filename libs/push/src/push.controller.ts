import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppConfig } from '@numerai/config';
import { ApiErrors, CurrentUser, Principal, Public } from '@numerai/common';
import { CreatePushSubscriptionDto } from './dto/push-subscription.dto';
import { PushSubscriptionsService } from './push-subscriptions.service';

/** A push subscription as the API shows it (toPushSubscriptionView): never its keys. */
const SUBSCRIPTION = {
  type: 'object',
  required: ['id', 'endpoint', 'created_at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    endpoint: { type: 'string', format: 'uri' },
    created_at: { type: 'string', format: 'date-time' },
  },
};

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
  @ApiOperation({ summary: 'The VAPID public key browsers subscribe with' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['public_key'],
      properties: { public_key: { type: 'string', description: 'base64url' } },
    },
  })
  vapidPublicKey() {
    return { public_key: this.config.push.vapid.publicKey };
  }

  @Post('subscriptions')
  @ApiOperation({ summary: 'Subscribe this browser to push notifications' })
  @ApiCreatedResponse({ schema: SUBSCRIPTION, description: 'subscribed' })
  @ApiOkResponse({ schema: SUBSCRIPTION, description: 'the caller had this endpoint already: its keys were updated' })
  @ApiErrors({
    invalid: 'keys.p256dh is not a P-256 public key, or the endpoint is not one a push service would accept',
    conflict: 'At most PUSH_MAX_SUBSCRIPTIONS subscriptions per user, or a concurrent registration won',
  })
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
  @ApiOperation({ summary: 'The caller’s push subscriptions' })
  @ApiOkResponse({ schema: { type: 'array', items: SUBSCRIPTION }, description: 'oldest first' })
  list(@CurrentUser() user: Principal) {
    return this.subscriptions.list(user.id);
  }

  @Delete('subscriptions/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a push subscription' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors({ not_found: 'No such subscription, or another user’s (the same answer)' })
  async unsubscribe(@CurrentUser() user: Principal, @Param('id') id: string): Promise<void> {
    await this.subscriptions.unsubscribe(user.id, id);
  }
}
