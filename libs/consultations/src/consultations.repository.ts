import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ConsultationEntity, ConsultationStatus, newId } from '@numerai/database';

@Injectable()
export class ConsultationsRepository {
  constructor(@InjectRepository(ConsultationEntity) private readonly consultations: Repository<ConsultationEntity>) {}

  async create(input: {
    userId: string;
    numerologistId: string;
    scheduledAt: Date | null;
    status?: ConsultationStatus;
  }) {
    const consultation = this.consultations.create({
      id: newId(),
      status: input.status ?? 'scheduled',
      createdAt: new Date(),
      userId: input.userId,
      numerologistId: input.numerologistId,
      scheduledAt: input.scheduledAt,
    });
    await this.consultations.insert(consultation);
    return consultation;
  }

  findById(id: string): Promise<ConsultationEntity | null> {
    return this.consultations.findOneBy({ id });
  }

  /** Null both when it does not exist and when the user takes no part: callers answer 404 either way. */
  async findForParticipant(id: string, userId: string): Promise<ConsultationEntity | null> {
    const consultation = await this.consultations.findOneBy({ id });
    return consultation && isParticipant(consultation, userId) ? consultation : null;
  }

  listForParticipant(userId: string, status?: ConsultationStatus): Promise<ConsultationEntity[]> {
    const where = [
      { userId, ...(status ? { status } : {}) },
      { numerologistId: userId, ...(status ? { status } : {}) },
    ];
    return this.consultations.find({ where, order: { createdAt: 'DESC', id: 'DESC' } });
  }

  async setStatus(id: string, status: ConsultationStatus): Promise<void> {
    await this.consultations.update({ id }, { status });
  }

  /** Everyone who shares at least one consultation with the user: the people allowed to see their presence. */
  async contactIds(userId: string): Promise<string[]> {
    const rows = await this.consultations
      .createQueryBuilder('c')
      .select(['c.user_id AS user_id', 'c.numerologist_id AS numerologist_id'])
      .where('c.user_id = :userId OR c.numerologist_id = :userId', { userId })
      .getRawMany<{ user_id: string; numerologist_id: string }>();
    const contacts = new Set<string>();
    for (const row of rows) contacts.add(row.user_id === userId ? row.numerologist_id : row.user_id);
    contacts.delete(userId);
    return [...contacts];
  }
}

export function isParticipant(consultation: Pick<ConsultationEntity, 'userId' | 'numerologistId'>, userId: string) {
  return consultation.userId === userId || consultation.numerologistId === userId;
}

/** The other side of a two-party consultation. */
export function otherParticipant(consultation: Pick<ConsultationEntity, 'userId' | 'numerologistId'>, userId: string) {
  return consultation.userId === userId ? consultation.numerologistId : consultation.userId;
}

/** Chat accepts messages while the consultation has not ended. */
export function isChatOpen(status: ConsultationStatus): boolean {
  return status === 'scheduled' || status === 'active';
}
