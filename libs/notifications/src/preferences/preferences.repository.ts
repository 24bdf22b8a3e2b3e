import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { ChannelPreference, NotificationPreferencesEntity } from './notification-preferences.entity';

@Injectable()
export class PreferencesRepository {
  constructor(
    @InjectRepository(NotificationPreferencesEntity) private readonly rows: Repository<NotificationPreferencesEntity>,
  ) {}

  async find(userId: string): Promise<Record<string, ChannelPreference>> {
    return (await this.rows.findOneBy({ userId }))?.types ?? {};
  }

  /** Stored maps of many users (absent: none stored). */
  async findMany(userIds: string[]): Promise<Map<string, Record<string, ChannelPreference>>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.rows.findBy({ userId: In(userIds) });
    return new Map(rows.map((row) => [row.userId, row.types]));
  }

  async save(userId: string, types: Record<string, ChannelPreference>, at: Date): Promise<void> {
    await this.rows.upsert({ userId, types, updatedAt: at }, ['userId']);
  }
}
