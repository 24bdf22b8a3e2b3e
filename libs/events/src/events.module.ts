import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { EventBus } from './event-bus';
import { InProcessEventBus } from './in-process-event-bus';

@Global()
@Module({})
export class EventsModule {
  /** `bus` lets the app swap in the Redis implementation; the in-process one is the default. */
  static forRoot(bus: Omit<Provider, 'provide'> = { useClass: InProcessEventBus }): DynamicModule {
    const provider = { provide: EventBus, ...bus } as Provider;
    return { module: EventsModule, providers: [provider], exports: [EventBus] };
  }
}
