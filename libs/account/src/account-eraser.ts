import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { SessionService } from '@numerai/auth';
import {
  ChatReadMarkerEntity,
  NotificationDeliveryEntity,
  NotificationEntity,
  NotificationPreferencesEntity,
  PushSubscriptionEntity,
  ReadingEntity,
  UserBlockEntity,
} from '@numerai/database';
import { UsersService } from '@numerai/users';

/**
 * Erases an account (the README's data-erasure policy): the users row is anonymised, not
 * deleted, so the consultations and messages that name it stay valid (its profile fields are
 * cleared with it); the notifications, read markers, readings, notification preferences and
 * delivery records and Web Push subscriptions (with their queued pushes), which only ever
 * concern this user, are deleted; messages they sent
 * stay in the consultation's history for the other participant, shown from "Deleted user".
 * Every session ends last, which closes the account's sockets on every instance.
 */
@Injectable()
export class AccountEraser {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    @InjectRepository(NotificationEntity) private readonly notifications: Repository<NotificationEntity>,
    @InjectRepository(ChatReadMarkerEntity) private readonly readMarkers: Repository<ChatReadMarkerEntity>,
    @InjectRepository(ReadingEntity) private readonly readings: Repository<ReadingEntity>,
    @InjectRepository(NotificationPreferencesEntity)
    private readonly preferences: Repository<NotificationPreferencesEntity>,
    @InjectRepository(NotificationDeliveryEntity) private readonly deliveries: Repository<NotificationDeliveryEntity>,
    @InjectRepository(PushSubscriptionEntity) private readonly pushSubscriptions: Repository<PushSubscriptionEntity>,
    // Blocks (libs/blocks): the ones the user made and the ones made of them.
    @InjectRepository(UserBlockEntity) private readonly blocks: Repository<UserBlockEntity>,
  ) {}

  async erase(userId: string): Promise<void> {
    await this.users.anonymise(userId);
    await this.pushSubscriptions.delete({ userId }); // first: nothing is pushed to an erased account
    await this.notifications.delete({ userId });
    await this.readMarkers.delete({ userId });
    await this.readings.delete({ userId });
    await this.preferences.delete({ userId });
    await this.deliveries.delete({ userId });
    // Blocks (libs/blocks): both sides of every block the user is in.
    await this.blocks.delete({ blockerId: userId });
    await this.blocks.delete({ blockedId: userId });
    await this.sessions.endAll(userId, 'account_deleted');
  }
}
