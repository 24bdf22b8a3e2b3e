import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThanOrEqual, Repository } from 'typeorm';
import { PushDeliveryEntity } from './push-delivery.entity';

/** A row to queue: the columns, without the (never loaded) relations. */
export type NewPushDelivery = Omit<PushDeliveryEntity, 'subscription' | 'notification' | 'user'>;

/** A claim not finished in this long is from an instance that died mid-send; another may take it over. */
export const CLAIM_LEASE_MS = 60_000;

@Injectable()
export class PushDeliveriesRepository {
  constructor(@InjectRepository(PushDeliveryEntity) private readonly rows: Repository<PushDeliveryEntity>) {}

  /** Adds these rows; a (notification, subscription) already queued is left as it is. */
  async enqueue(rows: NewPushDelivery[]): Promise<void> {
    if (rows.length === 0) return;
    await this.rows.createQueryBuilder().insert().values(rows).orIgnore().execute();
  }

  /** Due rows (and stale claims), soonest first, at most `limit`. */
  due(now: Date, limit: number): Promise<PushDeliveryEntity[]> {
    return this.rows.find({
      where: [
        { state: 'pending', dueAt: LessThanOrEqual(now) },
        { state: 'sending', claimedAt: LessThanOrEqual(new Date(now.getTime() - CLAIM_LEASE_MS)) },
      ],
      order: { dueAt: 'ASC' },
      take: limit,
    });
  }

  /**
   * Takes the row for one send: a conditional update on the state and attempt count it was
   * read with, so of all instances that read it, exactly one wins (without comparing clocks).
   */
  async claim(row: PushDeliveryEntity, now: Date): Promise<boolean> {
    const result = await this.rows.update(
      { id: row.id, state: row.state, attempts: row.attempts },
      { state: 'sending', claimedAt: now, attempts: row.attempts + 1 },
    );
    return (result.affected ?? 0) === 1;
  }

  async finish(id: string): Promise<void> {
    await this.rows.delete({ id });
  }

  async retryAt(id: string, dueAt: Date): Promise<void> {
    await this.rows.update({ id }, { state: 'pending', dueAt, claimedAt: null });
  }
}
