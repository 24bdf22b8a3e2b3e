import { Injectable } from '@nestjs/common';
import type { WebSocketServer } from 'ws';
import { AuthFrame } from './built-in-frames';
import type { ClientConnection } from './client-connection';
import type { EndpointHooks } from './endpoint';
import type { FrameDto } from './frame-validation';
import { frameHandlersOf, type FrameResult } from './on-frame.decorator';
import { RoutePattern } from './route';
import { SessionRenewal } from './session-renewal';

export interface FrameHandler {
  dto?: FrameDto<object>;
  invoke(connection: ClientConnection, frame: object): FrameResult | Promise<FrameResult>;
}

/** One gateway's server, path and handler table, built once at start-up. */
export interface EndpointBinding {
  server: WebSocketServer;
  pattern: RoutePattern;
  hooks: EndpointHooks;
  handlers: Map<string, FrameHandler>;
}

/**
 * Which endpoint serves which path, and each endpoint's frame handlers: its gateway's
 * contract handlers (@RealtimeEndpoint) plus the built-in `ping` and `auth` every endpoint accepts.
 */
@Injectable()
export class EndpointTable {
  private readonly bindings = new Map<string, EndpointBinding>();

  constructor(private readonly renewal: SessionRenewal) {}

  /** Called (through RealtimeRuntime) by a gateway's afterInit: from now on upgrades matching `path` reach it. */
  bind(server: WebSocketServer, path: string, hooks: EndpointHooks): void {
    const handlers = new Map<string, FrameHandler>();
    for (const meta of frameHandlersOf(hooks.constructor)) {
      const method = (hooks as unknown as Record<string, (c: ClientConnection, f: object) => FrameResult>)[meta.method];
      handlers.set(meta.type, { dto: meta.dto, invoke: method.bind(hooks) });
    }
    handlers.set('ping', { invoke: () => ({ type: 'pong' }) });
    handlers.set('auth', { dto: AuthFrame, invoke: (c, f) => this.renewal.renew(c, (f as AuthFrame).token) });
    this.bindings.set(hooks.endpoint, { server, pattern: new RoutePattern(path), hooks, handlers });
  }

  /** The endpoint whose path pattern matches, with the path's parameters. */
  match(pathname: string): { binding: EndpointBinding; params: Record<string, string> } | undefined {
    for (const binding of this.bindings.values()) {
      const params = binding.pattern.match(pathname);
      if (params) return { binding, params };
    }
    return undefined;
  }

  of(connection: ClientConnection): EndpointBinding {
    return this.bindings.get(connection.endpoint)!;
  }
}
