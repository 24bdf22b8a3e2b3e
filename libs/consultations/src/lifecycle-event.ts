import type { Principal } from '@numerai/common';
import type { ConsultationEntity } from './consultation.entity';
import type { ConsultationLifecycleEvent, DomainEventMap } from '@numerai/events';

const EVENT_OF_STATUS: Record<ConsultationEntity['status'], ConsultationLifecycleEvent> = {
  scheduled: 'booked',
  active: 'started',
  completed: 'completed',
  cancelled: 'cancelled',
};

/** The `consultation.lifecycle` payload for a consultation as just stored (by default its status names the event). */
export function lifecycleEvent(
  consultation: Pick<ConsultationEntity, 'id' | 'userId' | 'numerologistId' | 'status'>,
  actor: Pick<Principal, 'id' | 'name'>,
  event: ConsultationLifecycleEvent = EVENT_OF_STATUS[consultation.status],
): DomainEventMap['consultation.lifecycle'] {
  return {
    consultation_id: consultation.id,
    user_id: consultation.userId,
    numerologist_id: consultation.numerologistId,
    event,
    status: consultation.status,
    actor_id: actor.id,
    actor_name: actor.name,
  };
}
