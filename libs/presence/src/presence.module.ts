import { DynamicModule, Module, Provider } from '@nestjs/common';
import { ConsultationsModule } from '@numerai/consultations';
import { UsersModule } from '@numerai/users';
import { PresenceAvailability } from './presence-availability';
import { PresenceController } from './presence.controller';
import { PresenceGateway } from './presence.gateway';
import { PresenceService } from './presence.service';
import { InProcessPresenceStore, PresenceStore } from './presence-store';

@Module({})
export class PresenceModule {
  /** `store` lets scale-out swap in the Redis PresenceStore; in-process by default. */
  static forRoot(store: Omit<Provider, 'provide'> = { useClass: InProcessPresenceStore }): DynamicModule {
    return {
      module: PresenceModule,
      // Global: features that react to presence (availability) inject PresenceService (and provide
      // PresenceAvailability's setter) without
      // configuring the module a second time (its store is the app's choice).
      global: true,
      imports: [ConsultationsModule, UsersModule],
      controllers: [PresenceController],
      providers: [
        PresenceAvailability,
        PresenceService,
        PresenceGateway,
        { provide: PresenceStore, ...store } as Provider,
      ],
      exports: [PresenceAvailability, PresenceService],
    };
  }
}
