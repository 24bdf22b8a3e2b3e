import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import type { Principal } from '@numerai/common';
import { ConsultationEntity, ConsultationStatus } from '@numerai/database';
import { EventBus } from '@numerai/events';
import { UsersService } from '@numerai/users';
import { ConsultationsRepository } from './consultations.repository';
import { lifecycleEvent } from './lifecycle-event';

/** Which status a participant may move a consultation to, from which. Completed and cancelled are final. */
const TRANSITIONS: Record<ConsultationStatus, ConsultationStatus[]> = {
  scheduled: ['active', 'completed', 'cancelled'],
  active: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

@Injectable()
export class ConsultationsService {
  constructor(
    private readonly consultations: ConsultationsRepository,
    private readonly users: UsersService,
    private readonly events: EventBus,
  ) {}

  async create(
    client: Principal,
    numerologistId: string,
    scheduledAt: Date | null,
    status?: ConsultationStatus,
  ): Promise<ConsultationEntity> {
    const numerologist = await this.users.findById(numerologistId);
    if (!numerologist || numerologist.role !== 'numerologist' || numerologist.id === client.id) {
      throw new NotFoundException('Numerologist not found');
    }
    const consultation = await this.consultations.create({ userId: client.id, numerologistId, scheduledAt, status });
    this.events.publish('consultation.lifecycle', lifecycleEvent(consultation, client, 'booked'));
    return consultation;
  }

  list(userId: string, status?: ConsultationStatus): Promise<ConsultationEntity[]> {
    return this.consultations.listForParticipant(userId, status);
  }

  /** The consultation if the user takes part in it; 404 otherwise, without saying which. */
  async getForParticipant(id: string, userId: string): Promise<ConsultationEntity> {
    const consultation = await this.consultations.findForParticipant(id, userId);
    if (!consultation) throw new NotFoundException('Consultation not found');
    return consultation;
  }

  findById(id: string): Promise<ConsultationEntity | null> {
    return this.consultations.findById(id);
  }

  contactIds(userId: string): Promise<string[]> {
    return this.consultations.contactIds(userId);
  }

  async changeStatus(id: string, actor: Principal, status: ConsultationStatus): Promise<ConsultationEntity> {
    const consultation = await this.getForParticipant(id, actor.id);
    if (consultation.status === status) return consultation;
    const isNumerologist = consultation.numerologistId === actor.id;
    if (status !== 'cancelled' && !isNumerologist) {
      throw new ForbiddenException(`Only the numerologist can mark a consultation ${status}`);
    }
    if (!TRANSITIONS[consultation.status].includes(status)) {
      throw new ConflictException(`A ${consultation.status} consultation cannot become ${status}`);
    }
    await this.consultations.setStatus(id, status);
    consultation.status = status;
    this.events.publish('consultation.status_changed', { consultation_id: id, status });
    this.events.publish('consultation.lifecycle', lifecycleEvent(consultation, actor));
    return consultation;
  }
}
