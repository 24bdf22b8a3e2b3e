import { OnGatewayInit } from '@nestjs/websockets';
import type { ContextOf, EndpointContract } from '@numerai/protocol';
import type { ClientConnection } from './client-connection';
import type { Admission, EndpointHooks, Refusal, UpgradeContext } from './endpoint';
import type { GatewayServer } from './realtime-adapter';
import { GATEWAY_PATH } from './realtime-adapter';
import { RealtimeRuntime } from './realtime-runtime';

/**
 * What the gateways share: registering with the runtime once Nest has created their server.
 * Subclasses stay thin transports of their endpoint contract `E`: admit, one handler per client
 * frame (see RealtimeEndpoint), deliveries. Their connections carry the contract's context type.
 */
export abstract class RealtimeGateway<E extends EndpointContract> implements OnGatewayInit, EndpointHooks {
  readonly endpoint: E['name'];

  protected constructor(
    protected readonly runtime: RealtimeRuntime,
    protected readonly contract: E,
  ) {
    this.endpoint = contract.name;
  }

  afterInit(server: GatewayServer): void {
    this.runtime.bind(server, server[GATEWAY_PATH] ?? '/', this);
  }

  abstract admit(upgrade: UpgradeContext): Promise<Admission<ContextOf<E>> | Refusal>;
  abstract established(connection: ClientConnection<ContextOf<E>>): { message: string; consultation_id?: string };
}
