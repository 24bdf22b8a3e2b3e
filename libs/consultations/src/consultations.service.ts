import { Injectable } from '@nestjs/common';
import {
  ConflictError,
  DEFAULT_PAGE_SIZE,
  NotAllowedError,
  NotFoundError,
  type Page,
  type Principal,
  toPage,
  ConsultationStatus,
} from '@numerai/common';
import { AppConfig } from '@numerai/config';
import { ConsultationEntity } from './consultation.entity';
import { EventBus } from '@numerai/events';
import { UsersService } from '@numerai/users';
import { BookingLimit } from './booking-limit';
import type { BookingGuard, UnreadCounter } from './booking-guard';
import { ConsultationView, toConsultationView } from './consultation.view';
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
  private readonly guards: BookingGuard[] = [];
  /** None in a context without the chat (the ops CLI): nothing is unread there. */
  private unreadCounter: UnreadCounter | undefined;

  constructor(
    private readonly consultations: ConsultationsRepository,
    private readonly users: UsersService,
    private readonly events: EventBus,
    private readonly config: AppConfig,
    private readonly bookingLimit: BookingLimit,
  ) {}

  async create(
    client: Principal,
    numerologistId: string,
    scheduledAt: Date | null,
    status?: ConsultationStatus,
  ): Promise<ConsultationEntity> {
    const numerologist = await this.users.findById(numerologistId);
    if (
      !numerologist ||
      numerologist.role !== 'numerologist' ||
      numerologist.deletedAt ||
      numerologist.id === client.id
    ) {
      throw new NotFoundError('Numerologist not found');
    }
    await this.bookingLimit.check(client.id, numerologistId);
    await this.refuseIfGuarded(client.id, numerologistId);
    const max = this.config.consultations.maxOpenPerClient;
    const created = await this.consultations.createOpen(
      { userId: client.id, numerologistId, scheduledAt, status },
      max,
    );
    if (created instanceof ConsultationEntity) {
      this.events.publish('consultation.lifecycle', lifecycleEvent(created, client, 'booked'));
      return created;
    }
    // 409 either way: the conflict is with the client's own open consultations, and it lasts until they end one.
    throw new ConflictError(
      created.reason === 'pair_open'
        ? `An open consultation with this numerologist already exists: ${created.openId}`
        : `At most ${created.max} open consultations per client: complete or cancel one first`,
    );
  }

  /** Lets another feature refuse a pair their bookings (and acceptances); see BookingGuard. */
  addBookingGuard(guard: BookingGuard): void {
    this.guards.push(guard);
  }

  /** The chat says what is unread; see UnreadCounter. */
  useUnreadCounter(counter: UnreadCounter): void {
    this.unreadCounter = counter;
  }

  private async refuseIfGuarded(clientId: string, numerologistId: string): Promise<void> {
    for (const guard of this.guards) {
      const reason = await guard.refusal(clientId, numerologistId);
      if (reason) throw new NotAllowedError(reason);
    }
  }

  async list(
    userId: string,
    options: { status?: ConsultationStatus; before?: string; limit?: number },
  ): Promise<Page<ConsultationView>> {
    const limit = options.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.consultations.pageForParticipant(userId, { ...options, limit });
    const page = toPage(rows, limit, toConsultationView);
    await this.addUnreadCounts(userId, page.items);
    return page;
  }

  /** One consultation as its participant sees it: with their `unread_count`, as in the list. */
  async viewForParticipant(id: string, userId: string): Promise<ConsultationView> {
    const view = toConsultationView(await this.getForParticipant(id, userId));
    await this.addUnreadCounts(userId, [view]);
    return view;
  }

  /** Sets each view's `unread_count` for `userId`, with one query for all of them. */
  private async addUnreadCounts(userId: string, views: ConsultationView[]): Promise<void> {
    if (views.length === 0) return;
    const unread =
      (await this.unreadCounter?.unreadCounts(
        userId,
        views.map((view) => view.id),
      )) ?? new Map<string, number>();
    for (const view of views) view.unread_count = unread.get(view.id) ?? 0;
  }

  /** The consultation if the user takes part in it; 404 otherwise, without saying which. */
  async getForParticipant(id: string, userId: string): Promise<ConsultationEntity> {
    const consultation = await this.consultations.findForParticipant(id, userId);
    if (!consultation) throw new NotFoundError('Consultation not found');
    return consultation;
  }

  findById(id: string): Promise<ConsultationEntity | null> {
    return this.consultations.findById(id);
  }

  /** The pair's open (scheduled/active) consultation, if any: there is at most one. */
  openBetween(clientId: string, numerologistId: string): Promise<ConsultationEntity | null> {
    return this.consultations.findOpenBetween(clientId, numerologistId);
  }

  contactIds(userId: string): Promise<string[]> {
    return this.consultations.contactIds(userId);
  }

  /** Whether the pair has ever had a consultation, in any status: how a numerologist knows of a client. */
  haveMet(clientId: string, numerologistId: string): Promise<boolean> {
    return this.consultations.existsBetween(clientId, numerologistId);
  }

  async changeStatus(id: string, actor: Principal, status: ConsultationStatus): Promise<ConsultationEntity> {
    const consultation = await this.getForParticipant(id, actor.id);
    if (consultation.status === status) return consultation;
    const isNumerologist = consultation.numerologistId === actor.id;
    if (status !== 'cancelled' && !isNumerologist) {
      throw new NotAllowedError(`Only the numerologist can mark a consultation ${status}`);
    }
    if (!TRANSITIONS[consultation.status].includes(status)) {
      throw new ConflictError(`A ${consultation.status} consultation cannot become ${status}`);
    }
    // Accepting makes the two contacts: a guard that refuses the pair a booking refuses that too.
    if (status === 'active') await this.refuseIfGuarded(consultation.userId, consultation.numerologistId);
    // Conditional on the status just checked: of two racing changes only one moves it.
    if (!(await this.consultations.changeStatus(id, consultation.status, status))) {
      throw new ConflictError('The consultation changed meanwhile; read it again');
    }
    consultation.status = status;
    this.announceStatusChange(consultation, actor);
    return consultation;
  }

  /** The consultations the user takes part in, either side, oldest first, a keyset page at a time. */
  participantPages(userId: string, size: number): AsyncGenerator<ConsultationEntity[]> {
    return this.consultations.participantPages(userId, size);
  }

  /**
   * Tells everyone a stored status change (made here, or by an account's erasure): chat closes
   * or opens, presence updates contacts, the chat gets its system message, the other side a notice.
   */
  announceStatusChange(
    consultation: Pick<ConsultationEntity, 'id' | 'userId' | 'numerologistId' | 'status'>,
    actor: Pick<Principal, 'id' | 'name'>,
  ): void {
    this.events.publish('consultation.status_changed', {
      consultation_id: consultation.id,
      status: consultation.status,
      participant_ids: [consultation.userId, consultation.numerologistId],
    });
    this.events.publish('consultation.lifecycle', lifecycleEvent(consultation, actor));
  }
}
