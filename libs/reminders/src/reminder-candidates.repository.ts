import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { And, LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import { ConsultationEntity } from '@numerai/consultations';

/** Read-only view of consultations for the reminder sweep (the consultations library owns writes). */
@Injectable()
export class ReminderCandidatesRepository {
  constructor(@InjectRepository(ConsultationEntity) private readonly consultations: Repository<ConsultationEntity>) {}

  /** Still-scheduled consultations starting in (from, until], by id after `afterId`. */
  page(from: Date, until: Date, afterId: string | undefined, limit: number): Promise<ConsultationEntity[]> {
    return this.consultations.find({
      where: {
        status: 'scheduled',
        scheduledAt: And(MoreThan(from), LessThanOrEqual(until)),
        ...(afterId ? { id: MoreThan(afterId) } : {}),
      },
      order: { id: 'ASC' },
      take: limit,
    });
  }
}
