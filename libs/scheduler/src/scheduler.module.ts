import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BullmqJobRunner } from './bullmq-job-runner';
import { Clock, SystemClock } from './clock';
import { DeliveryLedger } from './delivery-ledger';
import { InProcessJobRunner } from './in-process-job-runner';
import { JobRunner } from './job-runner';
import { NotificationDeliveryEntity } from './notification-delivery.entity';
import { LedgerAccountData } from './ledger-account-data';

export interface SchedulerModuleOptions {
  /** BullMQ over Redis (scale-out) or timers in this process (embedded default). */
  engine: 'bullmq' | 'in-process';
  /** Tests pass a ManualClock; the system clock otherwise. */
  clock?: Clock;
}

/** The one scheduler: the clock, the job runner feature modules register with, and the exactly-once ledger. */
@Global()
@Module({})
export class SchedulerModule {
  static forRoot(options: SchedulerModuleOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: Clock, useValue: options.clock ?? new SystemClock() },
      { provide: JobRunner, useClass: options.engine === 'bullmq' ? BullmqJobRunner : InProcessJobRunner },
      DeliveryLedger,
      LedgerAccountData,
    ];
    return {
      module: SchedulerModule,
      imports: [TypeOrmModule.forFeature([NotificationDeliveryEntity])],
      providers,
      exports: [Clock, JobRunner, DeliveryLedger],
    };
  }
}
