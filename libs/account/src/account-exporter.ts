import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { SessionService } from '@numerai/auth';
import { toChatMessageData } from '@numerai/chat';
import { iso } from '@numerai/common';
import { toConsultationView } from '@numerai/consultations';
import {
  ChatMessageEntity,
  ChatReadMarkerEntity,
  ConsultationEntity,
  NotificationEntity,
  NotificationPreferencesEntity,
  PushSubscriptionEntity,
  ReadingEntity,
  SessionEntity,
  UserBlockEntity,
} from '@numerai/database';
import { toNotificationData } from '@numerai/notifications';
import { toPushSubscriptionView } from '@numerai/push';
import { toReadingView } from '@numerai/readings';
import { toUserView, UsersService } from '@numerai/users';

/**
 * Everything stored about one user, as JSON: the profile, consultations they take part
 * in, messages they sent, their notifications, read markers, daily readings and notification
 * preferences, their sessions' metadata, their Web Push subscriptions (endpoint and date, not
 * the keys) and the clients they blocked. Never a password hash or a refresh-token hash.
 */
@Injectable()
export class AccountExporter {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    @InjectRepository(ConsultationEntity) private readonly consultations: Repository<ConsultationEntity>,
    @InjectRepository(ChatMessageEntity) private readonly messages: Repository<ChatMessageEntity>,
    @InjectRepository(NotificationEntity) private readonly notifications: Repository<NotificationEntity>,
    @InjectRepository(ChatReadMarkerEntity) private readonly readMarkers: Repository<ChatReadMarkerEntity>,
    @InjectRepository(ReadingEntity) private readonly readings: Repository<ReadingEntity>,
    @InjectRepository(NotificationPreferencesEntity)
    private readonly preferences: Repository<NotificationPreferencesEntity>,
    @InjectRepository(PushSubscriptionEntity) private readonly pushSubscriptions: Repository<PushSubscriptionEntity>,
    @InjectRepository(UserBlockEntity) private readonly blocks: Repository<UserBlockEntity>,
  ) {}

  async export(userId: string) {
    const user = await this.users.getById(userId);
    const [consultations, messages, notifications, readMarkers, sessions, readings, preferences, pushSubscriptions] =
      await Promise.all([
        this.consultations.find({
          where: [{ userId }, { numerologistId: userId }],
          order: { createdAt: 'ASC' },
        }),
        this.messages.find({ where: { senderId: userId }, order: { consultationId: 'ASC', id: 'ASC' } }),
        this.notifications.find({ where: { userId }, order: { id: 'ASC' } }),
        this.readMarkers.find({ where: { userId }, order: { consultationId: 'ASC' } }),
        this.sessions.listOf(userId),
        this.readings.find({ where: { userId }, order: { localDate: 'ASC' } }),
        this.preferences.findOneBy({ userId }),
        this.pushSubscriptions.find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } }),
      ]);
    const blocks = await this.blocks.find({ where: { blockerId: userId }, order: { id: 'ASC' } });
    return {
      exported_at: new Date().toISOString(),
      profile: { ...toUserView(user), blocked_at: iso(user.blockedAt) },
      consultations: consultations.map(toConsultationView),
      messages: messages.map((message) => ({
        consultation_id: message.consultationId,
        ...toChatMessageData(message, user.fullName),
      })),
      notifications: notifications.map((notification) => ({
        ...toNotificationData(notification),
        read_at: iso(notification.readAt),
      })),
      read_markers: readMarkers.map((marker) => ({
        consultation_id: marker.consultationId,
        last_read_message_id: marker.lastReadMessageId,
        last_read_seq: marker.lastReadSeq,
        read_at: iso(marker.readAt),
      })),
      sessions: sessions.map(toSessionMetadata),
      readings: readings.map(toReadingView),
      notification_preferences: preferences?.types ?? {},
      push_subscriptions: pushSubscriptions.map(toPushSubscriptionView),
      blocks: blocks.map((block) => ({ user_id: block.blockedId, created_at: iso(block.createdAt) })),
    };
  }
}

function toSessionMetadata(session: SessionEntity) {
  return {
    id: session.id,
    created_at: iso(session.createdAt),
    refreshed_at: iso(session.refreshedAt),
    revoked_at: iso(session.revokedAt),
    revoked_reason: session.revokedReason,
  };
}

export type AccountExport = Awaited<ReturnType<AccountExporter['export']>>;
