import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { AuthModule } from '@numerai/auth';
import { ConnectionDirectory, InProcessConnectionDirectory } from './connection-directory';
import { ConnectionRegistry } from './connection-registry';
import { PagedReplay } from './paged-replay';
import { RealtimeRuntime } from './realtime-runtime';
import { SessionRevocations } from './session-revocations';
import { UpgradeGate } from './upgrade-gate';

@Global()
@Module({})
export class RealtimeModule {
  /** `directory` lets scale-out swap in a cluster-wide ConnectionDirectory; in-process by default. */
  static forRoot(directory: Omit<Provider, 'provide'> = { useClass: InProcessConnectionDirectory }): DynamicModule {
    return {
      module: RealtimeModule,
      imports: [AuthModule],
      providers: [
        ConnectionRegistry,
        RealtimeRuntime,
        SessionRevocations,
        UpgradeGate,
        PagedReplay,
        { provide: ConnectionDirectory, ...directory } as Provider,
      ],
      exports: [ConnectionRegistry, RealtimeRuntime, ConnectionDirectory, PagedReplay],
    };
  }
}
