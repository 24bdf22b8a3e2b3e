import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, MoreThan, Not, Repository } from 'typeorm';
import { UserEntity } from '@numerai/users';
import { type AvailabilityStatus, NumerologistAvailabilityEntity } from './numerologist-availability.entity';

/** A listed numerologist: their availability row and public name. */
export interface AvailableRow {
  userId: string;
  fullName: string;
  rateMinor: number;
}

/** Where a numerologist stands now: listed (available and bookable, with a rate) or not, and their status. */
export interface ListingState {
  userId: string;
  status: AvailabilityStatus;
  /** Set only when listed. */
  listed: AvailableRow | null;
}

/** The numerologist_availability table: one row per numerologist who ever set a status or rate. */
@Injectable()
export class AvailabilityRepository {
  constructor(
    @InjectRepository(NumerologistAvailabilityEntity)
    private readonly rows: Repository<NumerologistAvailabilityEntity>,
  ) {}

  find(userId: string): Promise<NumerologistAvailabilityEntity | null> {
    return this.rows.findOneBy({ userId });
  }

  /** Writes the given fields, making the row (offline, no rate) on the first change. */
  async save(userId: string, changes: { status?: AvailabilityStatus; rateMinor?: number }): Promise<void> {
    const updatedAt = new Date();
    await this.rows
      .createQueryBuilder()
      .insert()
      .values({ userId, status: changes.status ?? 'offline', rateMinor: changes.rateMinor ?? null, updatedAt })
      .orUpdate(
        [...(changes.status ? ['status'] : []), ...(changes.rateMinor ? ['rate_minor'] : []), 'updated_at'],
        ['user_id'],
      )
      .execute();
  }

  /**
   * The current state of each of `userIds` (at most a page of them): one without a row, or
   * erased, is offline; blocked or without a rate, not listed whatever the row says.
   */
  async states(userIds: string[]): Promise<ListingState[]> {
    if (userIds.length === 0) return [];
    const rows = await this.listable()
      .addSelect([
        'a.status AS status',
        'u.deleted_at AS deleted_at',
        `CASE WHEN ${LISTED} THEN 1 ELSE 0 END AS listed`,
      ])
      .where('a.user_id IN (:...userIds)', { userIds })
      .getRawMany<RawListable & { status: AvailabilityStatus; deleted_at: unknown; listed: number | string }>();
    const found = new Map(rows.map((row) => [row.user_id, row]));
    return userIds.map((userId) => {
      const row = found.get(userId);
      if (!row || row.deleted_at != null) return { userId, status: 'offline', listed: null };
      return { userId, status: row.status, listed: Number(row.listed) === 1 ? toAvailable(row) : null };
    });
  }

  /** Whether anything changed: false when the numerologist was offline already. */
  async markOffline(userId: string): Promise<boolean> {
    const result = await this.rows.update(
      { userId, status: Not('offline') },
      { status: 'offline', updatedAt: new Date() },
    );
    return (result.affected ?? 0) > 0;
  }

  /** `from` → `to`, only if the status is still `from`; whether it changed. */
  async changeStatus(userId: string, from: AvailabilityStatus, to: AvailabilityStatus): Promise<boolean> {
    const result = await this.rows.update({ userId, status: from }, { status: to, updatedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }

  /** Numerologists shown available or busy whose status is older than `before`, by id after `afterId`. */
  async openPage(before: Date, afterId: string | undefined, limit: number): Promise<{ id: string }[]> {
    const rows = await this.rows.find({
      select: { userId: true },
      where: { status: Not('offline'), updatedAt: LessThan(before), ...(afterId ? { userId: MoreThan(afterId) } : {}) },
      order: { userId: 'ASC' },
      take: limit,
    });
    return rows.map((row) => ({ id: row.userId }));
  }

  /** Offline unless the status changed since `before` (a numerologist who just opted in keeps it); whether it was. */
  async markOfflineIfUnchangedSince(userId: string, before: Date): Promise<boolean> {
    const result = await this.rows.update(
      { userId, status: Not('offline'), updatedAt: LessThan(before) },
      { status: 'offline', updatedAt: new Date() },
    );
    return (result.affected ?? 0) > 0;
  }

  /**
   * Available numerologists who can be booked (not blocked, not erased, with a rate), by id
   * after `after`: `limit + 1` rows so the caller learns whether another page exists.
   */
  async availablePage(after: string | undefined, limit: number): Promise<AvailableRow[]> {
    const query = this.listable()
      .where(LISTED)
      .orderBy('a.user_id', 'ASC')
      .limit(limit + 1);
    if (after) query.andWhere('a.user_id > :after', { after });
    return (await query.getRawMany<RawListable>()).map(toAvailable);
  }

  /** Rows with what listing them needs: the user's name, role and standing. */
  private listable() {
    return this.rows
      .createQueryBuilder('a')
      .innerJoin(UserEntity, 'u', 'u.id = a.user_id')
      .select(['a.user_id AS user_id', 'u.full_name AS full_name', 'a.rate_minor AS rate_minor']);
  }
}

/** Who is listed: available with a rate, a numerologist neither blocked nor erased (the list's filter and `states`' flag). */
const LISTED =
  "a.status = 'available' AND a.rate_minor IS NOT NULL AND u.role = 'numerologist' AND u.deleted_at IS NULL AND u.blocked_at IS NULL";

interface RawListable {
  user_id: string;
  full_name: string;
  rate_minor: number | string | null;
}

function toAvailable(row: RawListable): AvailableRow {
  return { userId: row.user_id, fullName: row.full_name, rateMinor: Number(row.rate_minor) };
}
