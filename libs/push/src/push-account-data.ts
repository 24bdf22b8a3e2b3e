import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import {
  AccountDataSection,
  deleteUserRows,
  type ErasureContext,
  exportedRows,
  type JsonMember,
} from '@numerai/common';
import { PushSubscriptionEntity } from './push-subscription.entity';
import { toPushSubscriptionView } from './push-subscription.view';

/** The user's Web Push subscriptions (endpoint and date, never the keys); on erasure they and the queued pushes go. */
@Injectable()
export class PushAccountData extends AccountDataSection {
  constructor(
    @InjectRepository(PushSubscriptionEntity) private readonly subscriptions: Repository<PushSubscriptionEntity>,
  ) {
    super();
  }

  exportMembers(userId: string): JsonMember[] {
    return [['push_subscriptions', exportedRows(this.subscriptions, { userId }, 'id', toPushSubscriptionView)]];
  }

  erasure({ userId }: ErasureContext) {
    return deleteUserRows(userId, 'push_deliveries', 'push_subscriptions');
  }
}
