import { Injectable } from '@nestjs/common';
import { ConsultationsService } from '@numerai/consultations';
import type { ConsultationStatus } from '@numerai/common';
import { EventBus } from '@numerai/events';

/** Upper bound on cached consultations; past it the cache starts over rather than grow. */
const MAX_ENTRIES = 50_000;

/**
 * Whether a consultation's chat is open is asked on every message; the answer changes
 * rarely and every change is announced on the bus, so it is cached and invalidated.
 */
@Injectable()
export class ConsultationStatusCache {
  private readonly statuses = new Map<string, ConsultationStatus>();
  /** Lookups in flight: concurrent callers share one, so they resume in the order they asked (message order). */
  private readonly loading = new Map<string, Promise<ConsultationStatus | undefined>>();

  constructor(
    private readonly consultations: ConsultationsService,
    events: EventBus,
  ) {
    events.on('consultation.status_changed', ({ consultation_id, status }) => {
      if (this.statuses.has(consultation_id)) this.statuses.set(consultation_id, status);
    });
  }

  async status(consultationId: string): Promise<ConsultationStatus | undefined> {
    const cached = this.statuses.get(consultationId);
    if (cached) return cached;
    let loading = this.loading.get(consultationId);
    if (!loading) {
      loading = this.load(consultationId).finally(() => this.loading.delete(consultationId));
      this.loading.set(consultationId, loading);
    }
    return loading;
  }

  private async load(consultationId: string): Promise<ConsultationStatus | undefined> {
    const consultation = await this.consultations.findById(consultationId);
    if (!consultation) return undefined;
    if (this.statuses.size >= MAX_ENTRIES) this.statuses.clear();
    this.statuses.set(consultationId, consultation.status);
    return consultation.status;
  }
}
