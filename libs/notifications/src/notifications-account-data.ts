import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import {
  AccountDataSection,
  deleteUserRows,
  type ErasureContext,
  exportedRows,
  iso,
  type JsonMember,
} from '@numerai/common';
import { NotificationEntity } from './notification.entity';
import { toNotificationData } from './notification.view';
import { PreferencesRepository } from './preferences/preferences.repository';

/** The user's notifications and per-type preferences: exported, and deleted on erasure. */
@Injectable()
export class NotificationsAccountData extends AccountDataSection {
  constructor(
    @InjectRepository(NotificationEntity) private readonly notifications: Repository<NotificationEntity>,
    private readonly preferences: PreferencesRepository,
  ) {
    super();
  }

  exportMembers(userId: string): JsonMember[] {
    return [
      ['notifications', exportedRows(this.notifications, { userId }, 'seq', toNotificationExport)],
      // The stored map only (what the user changed), not the defaults GET fills in.
      ['notification_preferences', () => this.preferences.find(userId)],
    ];
  }

  erasure({ userId }: ErasureContext) {
    return deleteUserRows(userId, 'notifications', 'notification_preferences');
  }
}

function toNotificationExport(notification: NotificationEntity) {
  return { ...toNotificationData(notification), read_at: iso(notification.readAt) };
}
