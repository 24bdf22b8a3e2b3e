import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { AppConfig } from '@numerai/config';
import { isUniqueViolation, isUuid, newId } from '@numerai/database';
import { PushSubscriptionEntity } from './push-subscription.entity';
import { CreatePushSubscriptionDto } from './dto/push-subscription.dto';
import { EndpointRefused, PushEndpointPolicy } from './endpoint-policy';
import { checkP256dh } from './p256dh';
import { PushSubscriptionsRepository } from './push-subscriptions.repository';
import { PushSubscriptionView, toPushSubscriptionView } from './push-subscription.view';

/**
 * A user's push subscriptions. An endpoint is one browser profile: registering it again
 * (same user) refreshes its keys; registered by another user (someone else logged in in
 * that browser) it moves to the caller, so the previous account's pushes stop there.
 */
@Injectable()
export class PushSubscriptionsService {
  constructor(
    private readonly subscriptions: PushSubscriptionsRepository,
    private readonly policy: PushEndpointPolicy,
    private readonly config: AppConfig,
  ) {}

  /** `created` false: the caller had it already (its keys are refreshed). */
  async subscribe(
    userId: string,
    dto: CreatePushSubscriptionDto,
  ): Promise<{ created: boolean; subscription: PushSubscriptionView }> {
    const endpoint = this.checkEndpoint(dto.endpoint);
    const keys = {
      p256dh: checkP256dh(dto.keys.p256dh).toString('base64url'),
      auth: Buffer.from(dto.keys.auth, 'base64url').toString('base64url'),
      expirationTime: dto.expirationTime == null ? null : String(dto.expirationTime),
    };
    const existing = await this.subscriptions.byEndpoint(endpoint);
    if (existing?.userId === userId) {
      await this.subscriptions.updateKeys(existing.id, keys);
      return { created: false, subscription: toPushSubscriptionView(existing) };
    }
    if ((await this.subscriptions.countOf(userId)) >= this.config.push.maxSubscriptionsPerUser) {
      throw new ConflictException(
        `At most ${this.config.push.maxSubscriptionsPerUser} push subscriptions per user; delete one first`,
      );
    }
    if (existing) await this.subscriptions.delete(existing.id); // the browser is the caller's now
    const row: PushSubscriptionEntity = { id: newId(), userId, endpoint, ...keys, createdAt: new Date() };
    try {
      await this.subscriptions.insert(row);
    } catch (error) {
      // The same browser registering twice at once: the other request stored it.
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.subscriptions.byEndpoint(endpoint);
      if (winner?.userId !== userId) throw new ConflictException('This endpoint was registered meanwhile; retry');
      return { created: false, subscription: toPushSubscriptionView(winner) };
    }
    return { created: true, subscription: toPushSubscriptionView(row) };
  }

  /** Registration checks the host only: nothing is resolved or requested before a push is due. */
  private checkEndpoint(raw: string): string {
    try {
      return this.policy.check(raw).href;
    } catch (error) {
      if (error instanceof EndpointRefused) throw new BadRequestException([error.message]);
      throw error;
    }
  }

  async list(userId: string): Promise<PushSubscriptionView[]> {
    return (await this.subscriptions.ofUser(userId)).map(toPushSubscriptionView);
  }

  /** 404 for unknown ids and other users' alike. */
  async unsubscribe(userId: string, id: string): Promise<void> {
    if (!isUuid(id) || !(await this.subscriptions.deleteOwn(id, userId))) {
      throw new NotFoundException('Push subscription not found');
    }
  }
}
