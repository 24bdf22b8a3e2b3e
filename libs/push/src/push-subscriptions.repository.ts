import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { PushSubscriptionEntity } from './push-subscription.entity';

@Injectable()
export class PushSubscriptionsRepository {
  constructor(@InjectRepository(PushSubscriptionEntity) private readonly rows: Repository<PushSubscriptionEntity>) {}

  byEndpoint(endpoint: string): Promise<PushSubscriptionEntity | null> {
    return this.rows.findOneBy({ endpoint });
  }

  byId(id: string): Promise<PushSubscriptionEntity | null> {
    return this.rows.findOneBy({ id });
  }

  ofUser(userId: string): Promise<PushSubscriptionEntity[]> {
    return this.rows.find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Every subscription of these users (one query; the per-user cap bounds the result). */
  ofUsers(userIds: string[]): Promise<PushSubscriptionEntity[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.rows.findBy({ userId: In(userIds) });
  }

  countOf(userId: string): Promise<number> {
    return this.rows.countBy({ userId });
  }

  async insert(row: PushSubscriptionEntity): Promise<void> {
    await this.rows.insert(row);
  }

  async updateKeys(id: string, keys: Pick<PushSubscriptionEntity, 'p256dh' | 'auth' | 'expirationTime'>) {
    await this.rows.update({ id }, keys);
  }

  /** Deletes it if it is this user's; whether it was. */
  async deleteOwn(id: string, userId: string): Promise<boolean> {
    return ((await this.rows.delete({ id, userId })).affected ?? 0) > 0;
  }

  async delete(id: string): Promise<void> {
    await this.rows.delete({ id });
  }
}
