import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuthModule } from '@numerai/auth';
import { ConnectionDirectory, InProcessConnectionDirectory } from './connection-directory';
import { ConnectionRegistry } from './connection-registry';
import { PagedReplay } from './paged-replay';
import { StreamDeliveries } from './stream-delivery';
import { ConnectionAdmission } from './connection-admission';
import { ConnectionCloser } from './connection-closer';
import { EndpointTable } from './endpoint-table';
import { FrameDispatcher } from './frame-dispatcher';
import { FrameRateLimit } from './frame-rate-limit';
import { GatewayConventions } from './gateway-conventions';
import { RealtimeRuntime } from './realtime-runtime';
import { RealtimeShutdown } from './realtime-shutdown';
import { SessionRenewal } from './session-renewal';
import { SessionRevocations } from './session-revocations';
import { UpgradeGate } from './upgrade-gate';

@Global()
@Module({})
export class RealtimeModule {
  /** `directory` lets scale-out swap in a cluster-wide ConnectionDirectory; in-process by default. */
  static forRoot(directory: Omit<Provider, 'provide'> = { useClass: InProcessConnectionDirectory }): DynamicModule {
    return {
      module: RealtimeModule,
      imports: [AuthModule, DiscoveryModule],
      providers: [
        ConnectionRegistry,
        RealtimeRuntime,
        EndpointTable,
        ConnectionAdmission,
        FrameDispatcher,
        FrameRateLimit,
        ConnectionCloser,
        SessionRenewal,
        RealtimeShutdown,
        GatewayConventions,
        SessionRevocations,
        UpgradeGate,
        PagedReplay,
        StreamDeliveries,
        { provide: ConnectionDirectory, ...directory } as Provider,
      ],
      exports: [
        ConnectionRegistry,
        RealtimeRuntime,
        ConnectionAdmission,
        ConnectionDirectory,
        PagedReplay,
        StreamDeliveries,
      ],
    };
  }
}
