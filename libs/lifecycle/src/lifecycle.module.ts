import { Module } from '@nestjs/common';
import { NotificationsModule } from '@numerai/notifications';
import { LifecycleNotifier } from './lifecycle-notifier';
import { LifecycleAccountData } from './lifecycle-account-data';

/** Consultation lifecycle notifications, hooked on the `consultation.lifecycle` domain event. */
@Module({
  imports: [NotificationsModule],
  providers: [LifecycleAccountData, LifecycleNotifier],
})
export class LifecycleModule {}
