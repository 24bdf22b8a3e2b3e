import type { ConsultationLifecycleEvent } from '@numerai/events';

/**
 * Titles are fixed strings, never a user's words (a name like "URGENT: your account is
 * suspended" must not become a title); the actor's name is only in the body, bounded.
 */
export const LIFECYCLE_COPY: Record<ConsultationLifecycleEvent, { title: string; message: (actor: string) => string }> =
  {
    booked: { title: 'Consultation booked', message: (actor) => `${actor} booked a consultation with you` },
    started: { title: 'Consultation started', message: (actor) => `${actor} started your consultation` },
    completed: { title: 'Consultation completed', message: (actor) => `${actor} marked your consultation completed` },
    cancelled: { title: 'Consultation cancelled', message: (actor) => `${actor} cancelled your consultation` },
  };
