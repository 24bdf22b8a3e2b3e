import { Module } from '@nestjs/common';
import { NotificationsModule } from '@numerai/notifications';
import { LifecycleNotifier } from './lifecycle-notifier';

/** Consultation lifecycle notifications, hooked on the `consultation.lifecycle` domain event. */
@Module({
  imports: [NotificationsModule],
  providers: [LifecycleNotifier],
})
export class LifecycleModule {}
