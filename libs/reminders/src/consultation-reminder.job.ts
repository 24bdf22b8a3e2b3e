import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@numerai/config';
import type { ConsultationEntity } from '@numerai/consultations';
import { NotificationsService } from '@numerai/notifications';
import { Clock, DeliveryLedger, forEachPage, JobRunner, ScheduledJob } from '@numerai/scheduler';
import { ReminderCandidatesRepository } from './reminder-candidates.repository';

/**
 * CONSULTATION_REMINDER_MINUTES before `scheduled_at`, one `consultation_reminder` to each
 * participant. Due-ness is read from the consultation as it is now, and the dedupe key
 * includes `scheduled_at`: a rescheduled consultation gets a reminder for its new time
 * only, a cancelled (or already started) one gets none, and one due while every instance
 * was down is reminded on the first sweep back if it has not started yet.
 */
@Injectable()
export class ConsultationReminderJob implements ScheduledJob, OnModuleInit {
  readonly name = 'consultation-reminders';

  constructor(
    private readonly runner: JobRunner,
    private readonly candidates: ReminderCandidatesRepository,
    private readonly notifications: NotificationsService,
    private readonly ledger: DeliveryLedger,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.runner.register(this);
  }

  async run(): Promise<void> {
    const now = this.clock.now();
    const until = new Date(now.getTime() + this.config.schedule.reminderMinutes * 60_000);
    await forEachPage(
      (afterId, limit) => this.candidates.page(now, until, afterId, limit),
      (consultations) =>
        this.ledger.onceEach(
          consultations.flatMap((consultation) =>
            [consultation.userId, consultation.numerologistId].map((userId) => ({
              key: dedupeKey(consultation, userId),
              userId,
              send: (id: string) => this.send(consultation, userId, now, id),
              isStored: (id: string) => this.notifications.exists(id),
            })),
          ),
        ),
    );
  }

  private async send(consultation: ConsultationEntity, userId: string, now: Date, id: string): Promise<boolean> {
    const startsAt = consultation.scheduledAt!;
    const minutes = Math.max(1, Math.ceil((startsAt.getTime() - now.getTime()) / 60_000));
    const sent = await this.notifications.notify(userId, {
      id,
      title: 'Consultation starts soon',
      message: `Your consultation starts in ${minutes} minute${minutes === 1 ? '' : 's'}`,
      notification_type: 'consultation_reminder',
      data: { consultation_id: consultation.id, scheduled_at: startsAt.toISOString() },
    });
    return sent !== null;
  }
}

const dedupeKey = (consultation: ConsultationEntity, userId: string) =>
  `consultation_reminder:${consultation.id}:${consultation.scheduledAt!.getTime()}:${userId}`;
