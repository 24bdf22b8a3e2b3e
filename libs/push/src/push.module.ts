import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PushDeliveryEntity } from './push-delivery.entity';
import { PushSubscriptionEntity } from './push-subscription.entity';
import { NotificationsModule } from '@numerai/notifications';
import { PushEndpointPolicy } from './endpoint-policy';
import { PushController } from './push.controller';
import { PushDeliveriesRepository } from './push-deliveries.repository';
import { PushDeliveryJob } from './push-delivery.job';
import { PushEnqueuer } from './push-enqueuer';
import { PushSender } from './push-sender';
import { PushSubscriptionsRepository } from './push-subscriptions.repository';
import { PushSubscriptionsService } from './push-subscriptions.service';
import { PushAccountData } from './push-account-data';

/** Web Push (issue 16): subscriptions over REST, and notifications pushed to users who are away. */
@Module({
  imports: [TypeOrmModule.forFeature([PushSubscriptionEntity, PushDeliveryEntity]), NotificationsModule],
  controllers: [PushController],
  providers: [
    PushAccountData,
    PushEndpointPolicy,
    PushSubscriptionsRepository,
    PushSubscriptionsService,
    PushDeliveriesRepository,
    PushSender,
    PushDeliveryJob,
    PushEnqueuer,
  ],
})
export class PushModule {}
