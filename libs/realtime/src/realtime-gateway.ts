import { OnGatewayInit } from '@nestjs/websockets';
import type { Endpoint } from '@numerai/protocol';
import type { ClientConnection } from './client-connection';
import type { Admission, EndpointHooks, Refusal, UpgradeContext } from './endpoint';
import type { GatewayServer } from './realtime-adapter';
import { GATEWAY_PATH } from './realtime-adapter';
import { RealtimeRuntime } from './realtime-runtime';

/**
 * What the three gateways share: registering with the runtime once Nest has created
 * their server. Subclasses stay thin transports: admit, @OnFrame handlers, deliveries.
 */
export abstract class RealtimeGateway implements OnGatewayInit, EndpointHooks {
  abstract readonly endpoint: Endpoint;

  protected constructor(protected readonly runtime: RealtimeRuntime) {}

  afterInit(server: GatewayServer): void {
    this.runtime.bind(server, server[GATEWAY_PATH] ?? '/', this);
  }

  abstract admit(upgrade: UpgradeContext): Promise<Admission | Refusal>;
  abstract established(connection: ClientConnection): { message: string; consultation_id?: string };
}
