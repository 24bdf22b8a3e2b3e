import { ChatMessageEntity } from './chat-message.entity';
import { ChatReadMarkerEntity } from './chat-read-marker.entity';
import { ConsultationEntity } from './consultation.entity';
import { NotificationDeliveryEntity } from './notification-delivery.entity';
import { NotificationPreferencesEntity } from './notification-preferences.entity';
import { NotificationEntity } from './notification.entity';
import { PushDeliveryEntity } from './push-delivery.entity';
import { PushSubscriptionEntity } from './push-subscription.entity';
import { RefreshTokenEntity, SessionEntity } from './session.entity';
import { ReadingEntity } from './reading.entity';
import { UserBlockEntity } from './user-block.entity';
import { UserEntity } from './user.entity';

export * from './chat-message.entity';
export * from './chat-read-marker.entity';
export * from './consultation.entity';
export * from './notification-delivery.entity';
export * from './notification-preferences.entity';
export * from './notification.entity';
export * from './push-delivery.entity';
export * from './push-subscription.entity';
export * from './session.entity';
export * from './reading.entity';
export * from './user-block.entity';
export * from './user.entity';

export const ENTITIES = [
  UserEntity,
  ConsultationEntity,
  ChatMessageEntity,
  ChatReadMarkerEntity,
  NotificationEntity,
  SessionEntity,
  RefreshTokenEntity,
  ReadingEntity,
  NotificationDeliveryEntity,
  NotificationPreferencesEntity,
  PushSubscriptionEntity,
  PushDeliveryEntity,
  UserBlockEntity,
];
