import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, LessThan, MoreThan, Repository } from 'typeorm';
import { toChatMessageData, ChatMessageEntity, ChatReadMarkerEntity } from '@numerai/chat';
import { iso } from '@numerai/common';
import { toConsultationView, ConsultationEntity } from '@numerai/consultations';
import { SessionEntity } from '@numerai/auth';
import { UserBlockEntity } from '@numerai/blocks';
import { toNotificationData, NotificationEntity, NotificationPreferencesEntity } from '@numerai/notifications';
import { toPushSubscriptionView, PushSubscriptionEntity } from '@numerai/push';
import { toReadingView, ReadingEntity } from '@numerai/readings';
import { toUserView, UsersService } from '@numerai/users';
import { jsonArray, jsonObject, keysetPages } from './json-stream';

/** Rows read per query: the export holds one batch of one table at a time, whatever the history. */
export const EXPORT_BATCH = 500;

/**
 * Everything stored about one user, as JSON: the profile, consultations they take part
 * in, messages they sent, their notifications, read markers, daily readings and notification
 * preferences, their sessions' metadata, their Web Push subscriptions (endpoint and date, not
 * the keys) and the clients they blocked. Never a password hash or a refresh-token hash.
 *
 * Streamed: each table is read in keyset pages of EXPORT_BATCH rows, and the next page is read
 * only once the consumer (the response, under backpressure) has taken the previous one.
 */
@Injectable()
export class AccountExporter {
  constructor(
    private readonly users: UsersService,
    @InjectRepository(ConsultationEntity) private readonly consultations: Repository<ConsultationEntity>,
    @InjectRepository(ChatMessageEntity) private readonly messages: Repository<ChatMessageEntity>,
    @InjectRepository(NotificationEntity) private readonly notifications: Repository<NotificationEntity>,
    @InjectRepository(ChatReadMarkerEntity) private readonly readMarkers: Repository<ChatReadMarkerEntity>,
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @InjectRepository(ReadingEntity) private readonly readings: Repository<ReadingEntity>,
    @InjectRepository(NotificationPreferencesEntity)
    private readonly preferences: Repository<NotificationPreferencesEntity>,
    @InjectRepository(PushSubscriptionEntity) private readonly pushSubscriptions: Repository<PushSubscriptionEntity>,
    @InjectRepository(UserBlockEntity) private readonly blocks: Repository<UserBlockEntity>,
  ) {}

  /**
   * The export as JSON text in chunks. The user is read before anything is produced, so an
   * unknown one fails here (a plain 404) rather than halfway through a 200.
   */
  async open(userId: string): Promise<AsyncGenerator<string>> {
    const user = await this.users.getById(userId);
    const withSender = (message: ChatMessageEntity) => ({
      consultation_id: message.consultationId,
      ...toChatMessageData(message, user.fullName),
    });
    return jsonObject([
      ['exported_at', new Date().toISOString()],
      ['profile', { ...toUserView(user), blocked_at: iso(user.blockedAt) }],
      ['consultations', jsonArray(this.consultationPages(userId), toConsultationView)],
      ['messages', jsonArray(this.messagePages(userId), withSender)],
      ['notifications', jsonArray(this.notificationPages(userId), toNotificationExport)],
      ['read_markers', jsonArray(this.readMarkerPages(userId), toReadMarkerExport)],
      ['sessions', jsonArray(this.sessionPages(userId), toSessionMetadata)],
      ['readings', jsonArray(this.readingPages(userId), toReadingView)],
      ['notification_preferences', async () => (await this.preferences.findOneBy({ userId }))?.types ?? {}],
      ['push_subscriptions', jsonArray(this.pushSubscriptionPages(userId), toPushSubscriptionView)],
      ['blocks', jsonArray(this.ascending(this.blocks, { blockerId: userId }, 'id'), toBlockExport)],
    ]);
  }

  /** Those they take part in, either side, oldest first (ids are UUIDv7: minted in creation order). */
  private consultationPages(userId: string) {
    return keysetPages<ConsultationEntity>(EXPORT_BATCH, (after, take) => {
      const from = after ? { id: MoreThan(after.id) } : {};
      return this.consultations.find({
        where: [
          { userId, ...from },
          { numerologistId: userId, ...from },
        ],
        order: { id: 'ASC' },
        take,
      });
    });
  }

  /**
   * What they sent, by consultation, each in chat order (seq): a message's sender took part in
   * its consultation, and (consultation_id, seq) is indexed where sender_id is not.
   */
  private async *messagePages(userId: string): AsyncGenerator<ChatMessageEntity[]> {
    for await (const consultations of this.consultationPages(userId)) {
      for (const { id: consultationId } of consultations) {
        yield* keysetPages<ChatMessageEntity>(EXPORT_BATCH, (after, take) =>
          this.messages.find({
            where: { consultationId, senderId: userId, ...(after ? { seq: MoreThan(after.seq) } : {}) },
            order: { seq: 'ASC' },
            take,
          }),
        );
      }
    }
  }

  private notificationPages(userId: string) {
    return this.ascending(this.notifications, { userId }, 'seq');
  }

  private readMarkerPages(userId: string) {
    return this.ascending(this.readMarkers, { userId }, 'consultationId');
  }

  private readingPages(userId: string) {
    return this.ascending(this.readings, { userId }, 'localDate');
  }

  private pushSubscriptionPages(userId: string) {
    return this.ascending(this.pushSubscriptions, { userId }, 'id');
  }

  /** Newest first, as the sessions list has always been. */
  private sessionPages(userId: string) {
    return keysetPages<SessionEntity>(EXPORT_BATCH, (after, take) =>
      this.sessions.find({
        where: { userId, ...(after ? { id: LessThan(after.id) } : {}) },
        order: { id: 'DESC' },
        take,
      }),
    );
  }

  /** Pages of `where`'s rows by a key unique among them, ascending. */
  private ascending<T extends object, K extends keyof T & string>(
    repository: Repository<T>,
    where: FindOptionsWhere<T>,
    key: K,
  ): AsyncGenerator<T[]> {
    return keysetPages<T>(EXPORT_BATCH, (after, take) =>
      repository.find({
        where: { ...where, ...(after ? { [key]: MoreThan(after[key]) } : {}) } as FindOptionsWhere<T>,
        order: { [key]: 'ASC' } as never,
        take,
      }),
    );
  }
}

function toNotificationExport(notification: NotificationEntity) {
  return { ...toNotificationData(notification), read_at: iso(notification.readAt) };
}

function toReadMarkerExport(marker: ChatReadMarkerEntity) {
  return {
    consultation_id: marker.consultationId,
    last_read_message_id: marker.lastReadMessageId,
    last_read_seq: marker.lastReadSeq,
    read_at: iso(marker.readAt),
  };
}

function toBlockExport(block: UserBlockEntity) {
  return { user_id: block.blockedId, created_at: iso(block.createdAt) };
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
