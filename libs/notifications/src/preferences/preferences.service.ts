import { Injectable } from '@nestjs/common';
import type { ChannelPreference } from './notification-preferences.entity';
import { KNOWN_NOTIFICATION_TYPES } from './notification-types';
import { PreferencesRepository } from './preferences.repository';

export interface NotificationPreferences {
  types: Record<string, ChannelPreference>;
}

const ON: ChannelPreference = { in_app: true, push: true };

/** Per-type switches: everything is on until the user turns it off. */
@Injectable()
export class PreferencesService {
  constructor(private readonly preferences: PreferencesRepository) {}

  /** The known types with their defaults, overlaid by what the user stored. */
  async get(userId: string): Promise<NotificationPreferences> {
    const defaults = Object.fromEntries(KNOWN_NOTIFICATION_TYPES.map((type) => [type, { ...ON }]));
    return { types: { ...defaults, ...(await this.preferences.find(userId)) } };
  }

  /** Replaces the stored map: a type left out is back to on. */
  async put(userId: string, types: Record<string, ChannelPreference>): Promise<NotificationPreferences> {
    await this.preferences.save(userId, types, new Date());
    return this.get(userId);
  }

  async allowsInApp(userId: string, type: string): Promise<boolean> {
    return (await this.preferences.find(userId))[type]?.in_app ?? true;
  }

  /** Those of `userIds` who have not switched `type` off in-app (one query). */
  async inAppRecipients(userIds: string[], type: string): Promise<string[]> {
    const stored = await this.preferences.findMany(userIds);
    return userIds.filter((id) => stored.get(id)?.[type]?.in_app ?? true);
  }

  /** Those of `userIds` who have not switched `type` off for Web Push (one query). */
  async pushRecipients(userIds: string[], type: string): Promise<string[]> {
    const stored = await this.preferences.findMany(userIds);
    return userIds.filter((id) => stored.get(id)?.[type]?.push ?? true);
  }
}
