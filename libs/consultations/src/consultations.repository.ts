import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, MoreThan, Repository } from 'typeorm';
import { newId } from '@numerai/database';
import { ConsultationEntity, OPEN_CONSULTATION_STATUSES } from './consultation.entity';
import { ConsultationStatus, keysetPages } from '@numerai/common';
import { ClientLock } from './client-lock';

/** Why a consultation could not be opened: the pair already has one, or the client holds too many. */
export type OpenRefusal = { reason: 'pair_open'; openId: string } | { reason: 'too_many_open'; max: number };

@Injectable()
export class ConsultationsRepository {
  constructor(
    @InjectRepository(ConsultationEntity) private readonly consultations: Repository<ConsultationEntity>,
    private readonly clientLock: ClientLock,
  ) {}

  /**
   * Opens a consultation unless the pair already has an open one (the partial unique index
   * decides, so racing requests cannot both pass) or the client is at `maxOpen` (counted
   * while holding the client's lock, so racing requests cannot both fit under it).
   */
  async createOpen(
    input: { userId: string; numerologistId: string; scheduledAt: Date | null; status?: ConsultationStatus },
    maxOpen: number,
  ): Promise<ConsultationEntity | OpenRefusal> {
    const existing = await this.findOpenBetween(input.userId, input.numerologistId);
    if (existing) return { reason: 'pair_open', openId: existing.id };
    try {
      return await this.clientLock.run(input.userId, async (manager) => {
        const repository = manager.getRepository(ConsultationEntity);
        const open = await repository.countBy({ userId: input.userId, status: In([...OPEN_CONSULTATION_STATUSES]) });
        if (open >= maxOpen) return { reason: 'too_many_open', max: maxOpen } as const;
        const consultation = repository.create({
          id: newId(),
          status: input.status ?? 'scheduled',
          createdAt: new Date(),
          userId: input.userId,
          numerologistId: input.numerologistId,
          scheduledAt: input.scheduledAt,
        });
        await repository.insert(consultation);
        return consultation;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.findOpenBetween(input.userId, input.numerologistId);
      if (!winner) throw error;
      return { reason: 'pair_open', openId: winner.id };
    }
  }

  /** The pair's consultations created after `since`, oldest first, at most `limit` (the booking limit's count). */
  bookedSince(userId: string, numerologistId: string, since: Date, limit: number): Promise<ConsultationEntity[]> {
    return this.consultations.find({
      select: { id: true, createdAt: true },
      where: { userId, numerologistId, createdAt: MoreThan(since) },
      order: { createdAt: 'ASC' },
      take: limit,
    });
  }

  findById(id: string): Promise<ConsultationEntity | null> {
    return this.consultations.findOneBy({ id });
  }

  /** Null both when it does not exist and when the user takes no part: callers answer 404 either way. */
  async findForParticipant(id: string, userId: string): Promise<ConsultationEntity | null> {
    const consultation = await this.consultations.findOneBy({ id });
    return consultation && isParticipant(consultation, userId) ? consultation : null;
  }

  /** Newest first (ids are UUIDv7), `limit + 1` rows so the caller learns whether another page exists. */
  pageForParticipant(
    userId: string,
    options: { status?: ConsultationStatus; before?: string; limit: number },
  ): Promise<ConsultationEntity[]> {
    const filter = {
      ...(options.status ? { status: options.status } : {}),
      ...(options.before ? { id: LessThan(options.before) } : {}),
    };
    return this.consultations.find({
      where: [
        { userId, ...filter },
        { numerologistId: userId, ...filter },
      ],
      order: { id: 'DESC' },
      take: options.limit + 1,
    });
  }

  /** Those the user takes part in, either side, oldest first (ids are UUIDv7: minted in creation order), `size` a page. */
  participantPages(userId: string, size: number): AsyncGenerator<ConsultationEntity[]> {
    return keysetPages<ConsultationEntity>(size, (after, take) => {
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

  /** `UPDATE … WHERE id = ? AND status = <from>`: false when another change got there first. */
  async changeStatus(id: string, from: ConsultationStatus, to: ConsultationStatus): Promise<boolean> {
    const result = await this.consultations.update({ id, status: from }, { status: to });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Everyone who shares an active consultation with the user: the people allowed to see their
   * presence. Active, not merely scheduled: the numerologist's accepting it is the consent, so
   * a client's booking alone never lets them watch a numerologist.
   */
  async contactIds(userId: string): Promise<string[]> {
    const rows = await this.consultations
      .createQueryBuilder('c')
      .select(['c.user_id AS user_id', 'c.numerologist_id AS numerologist_id'])
      .where('(c.user_id = :userId OR c.numerologist_id = :userId)', { userId })
      .andWhere(`c.status = :contact`, { contact: 'active' satisfies ConsultationStatus })
      .getRawMany<{ user_id: string; numerologist_id: string }>();
    const contacts = new Set<string>();
    for (const row of rows) contacts.add(row.user_id === userId ? row.numerologist_id : row.user_id);
    contacts.delete(userId);
    return [...contacts];
  }

  existsBetween(userId: string, numerologistId: string): Promise<boolean> {
    return this.consultations.existsBy({ userId, numerologistId });
  }

  findOpenBetween(userId: string, numerologistId: string): Promise<ConsultationEntity | null> {
    return this.consultations.findOneBy({ userId, numerologistId, status: In([...OPEN_CONSULTATION_STATUSES]) });
  }
}

/** A duplicate key on either engine (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE). */
function isUniqueViolation(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: string } } | null)?.driverError;
  const code = driverError?.code ?? (error as { code?: string } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function isParticipant(consultation: Pick<ConsultationEntity, 'userId' | 'numerologistId'>, userId: string) {
  return consultation.userId === userId || consultation.numerologistId === userId;
}

/** Chat accepts messages while the consultation has not ended. */
export function isChatOpen(status: ConsultationStatus): boolean {
  return (OPEN_CONSULTATION_STATUSES as readonly ConsultationStatus[]).includes(status);
}
