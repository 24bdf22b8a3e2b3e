import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { AppConfig } from '@numerai/config';
import { ConnectionAdmission } from './connection-admission';
import { SocketGuard } from './socket-guard';

/** Where the gateway's @WebSocketGateway path is kept on its server for the runtime to bind. */
export const GATEWAY_PATH = Symbol('numerai:gatewayPath');
export type GatewayServer = WebSocketServer & { [GATEWAY_PATH]?: string };

/**
 * The stock WsAdapter matches exact paths, drops unknown ones with a bare hang-up and
 * runs an rxjs pipeline per socket. This one only creates the `ws` servers and owns the
 * single `upgrade` listener; routing (incl. `/ws/chat/:id/`), admission and dispatch live
 * in the realtime providers (ConnectionAdmission first).
 */
export class RealtimeAdapter extends WsAdapter {
  private admission: ConnectionAdmission | undefined;
  private readonly fallback: WebSocketServer;
  private upgradeListener:
    { server: HttpServer; listener: (request: IncomingMessage, socket: Duplex, head: Buffer) => void } | undefined;

  constructor(private readonly appContext: INestApplicationContext) {
    super(appContext);
    this.fallback = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
  }

  override create(port: number, options: Record<string, unknown> & { path?: string } = {}): GatewayServer {
    if (port !== 0) throw new Error('RealtimeAdapter serves gateways on the HTTP server’s port only (port 0)');
    const config = this.appContext.get(AppConfig);
    this.ensureHttpServerExists(0, this.httpServer as HttpServer);
    const server: GatewayServer = new WebSocketServer({
      noServer: true,
      maxPayload: config.ws.maxPayloadBytes,
      // Compression costs ~300 KB per connection in zlib state and CPU per frame; frames are small JSON.
      perMessageDeflate: false,
      // The runtime's registry tracks connections; ws's own Set would be a second copy.
      clientTracking: false,
    });
    server[GATEWAY_PATH] = options.path ?? '/';
    server.on('error', (error) => this.logger.error(error));
    return server;
  }

  /** Nest dispatches @SubscribeMessage handlers through here; our gateways use the contract's handler table (@RealtimeEndpoint) instead. */
  override bindMessageHandlers(): void {
    return undefined;
  }

  /** Disconnects are handled by the runtime's shared close listener. */
  override bindClientDisconnect(): void {
    return undefined;
  }

  protected override ensureHttpServerExists(port: number, httpServer?: HttpServer): HttpServer | undefined {
    if (this.httpServersRegistry.has(port) || !httpServer) return undefined;
    this.httpServersRegistry.set(port, httpServer);
    const { http } = this.appContext.get(AppConfig);
    new SocketGuard({ maxPerIp: http.maxConnectionsPerIp, headersTimeoutMs: http.headersTimeoutMs }).attach(httpServer);
    const listener = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.admissionOf().handleUpgrade(request, socket, head, this.fallback);
    };
    httpServer.on('upgrade', listener);
    this.upgradeListener = { server: httpServer, listener };
    return httpServer;
  }

  /** Resolved lazily: the adapter exists before the module graph that provides the admission. */
  private admissionOf(): ConnectionAdmission {
    if (!this.admission) {
      const admission = this.appContext.get(ConnectionAdmission, { strict: false });
      if (!admission) throw new Error('RealtimeModule is not imported: no ConnectionAdmission');
      this.admission = admission;
    }
    return this.admission;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    this.upgradeListener?.server.off('upgrade', this.upgradeListener.listener);
    this.fallback.close();
  }
}
