import { Injectable } from '@nestjs/common';
import type { WebSocketServer } from 'ws';
import { ConnectionCloser } from './connection-closer';
import type { EndpointHooks } from './endpoint';
import { EndpointTable } from './endpoint-table';

/**
 * What a gateway sees of the realtime layer: registering its endpoint. The work is done
 * by one provider each: EndpointTable (routes and handler tables), ConnectionAdmission
 * (upgrades), FrameDispatcher (inbound frames, with FrameRateLimit), ConnectionCloser
 * (how connections end, keep-alive) and RealtimeShutdown.
 */
@Injectable()
export class RealtimeRuntime {
  constructor(
    private readonly table: EndpointTable,
    private readonly closer: ConnectionCloser,
  ) {}

  /** Called by a gateway's afterInit: from now on upgrades matching `path` reach it. */
  bind(server: WebSocketServer, path: string, hooks: EndpointHooks): void {
    this.table.bind(server, path, hooks);
    this.closer.watch();
  }
}
