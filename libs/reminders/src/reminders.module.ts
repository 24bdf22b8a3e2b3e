import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConsultationEntity } from '@numerai/consultations';
import { NotificationsModule } from '@numerai/notifications';
import { ConsultationReminderJob } from './consultation-reminder.job';
import { ReminderCandidatesRepository } from './reminder-candidates.repository';

/** Consultation reminders, sent through NotificationsService by a scheduled job. */
@Module({
  imports: [TypeOrmModule.forFeature([ConsultationEntity]), NotificationsModule],
  providers: [ReminderCandidatesRepository, ConsultationReminderJob],
})
export class RemindersModule {}
