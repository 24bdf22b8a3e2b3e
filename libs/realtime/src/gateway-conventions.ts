import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
} from '@nestjs/common/constants';
import { DiscoveryService } from '@nestjs/core';
import { GATEWAY_METADATA, MESSAGE_MAPPING_METADATA } from '@nestjs/websockets/constants';
import { relative } from 'node:path';

/**
 * Nest's WebSocket features our adapter never runs: RealtimeAdapter.bindMessageHandlers is
 * a no-op (frames go through the contract's handler table and the FrameDispatcher), so these decorators would
 * be accepted and then silently do nothing — a guard that guards nothing.
 */
const IGNORED_DECORATORS: readonly { key: string; decorator: string }[] = [
  { key: MESSAGE_MAPPING_METADATA, decorator: '@SubscribeMessage' },
  { key: GUARDS_METADATA, decorator: '@UseGuards' },
  { key: PIPES_METADATA, decorator: '@UsePipes' },
  { key: INTERCEPTORS_METADATA, decorator: '@UseInterceptors' },
  { key: EXCEPTION_FILTERS_METADATA, decorator: '@UseFilters' },
];
/** Nest's connection hooks: the runtime accepts sockets itself, so Nest never calls them. */
const IGNORED_HOOKS: readonly string[] = ['handleConnection', 'handleDisconnect'];

/** What `gateway` declares that RealtimeAdapter would ignore, e.g. `@UseGuards on the class`. */
export function ignoredNestFeatures(gateway: abstract new (...args: never[]) => unknown): string[] {
  const found: string[] = [];
  for (const { key, decorator } of IGNORED_DECORATORS) {
    if (Reflect.getMetadata(key, gateway)) found.push(`${decorator} on the class`);
  }
  const seen = new Set<string>();
  // Bounded by the class hierarchy a developer wrote, walked once at start-up.
  for (let proto = gateway.prototype as object | null; proto && proto !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || seen.has(name)) continue;
      seen.add(name);
      const method: unknown = Object.getOwnPropertyDescriptor(proto, name)?.value;
      if (typeof method !== 'function') continue;
      for (const { key, decorator } of IGNORED_DECORATORS) {
        if (Reflect.getMetadata(key, method)) found.push(`${decorator} on ${name}()`);
      }
      if (IGNORED_HOOKS.includes(name)) found.push(`${name}()`);
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return found;
}

/** `ChatGateway (libs/chat/src/chat.gateway.ts)`: the module that defines the class, when CommonJS knows it. */
export function describeGateway(gateway: { name: string }): string {
  const file = definingFile(gateway);
  return file ? `${gateway.name} (${relative(process.cwd(), file)})` : gateway.name;
}

function definingFile(gateway: { name: string }): string | undefined {
  const cache = typeof require === 'function' ? require.cache : undefined;
  for (const key of Object.keys(cache ?? {})) {
    const module = cache?.[key];
    const exports: unknown = module?.exports;
    if (!exports || (typeof exports !== 'object' && typeof exports !== 'function')) continue;
    // A data property is where the class is defined; re-exports (index files) are getters.
    const own = Object.getOwnPropertyDescriptor(exports, gateway.name);
    if (own && 'value' in own && own.value === gateway) return module?.filename ?? key;
  }
  return undefined;
}

/**
 * Start-up check: a gateway that uses @SubscribeMessage, guards, pipes, interceptors,
 * filters or Nest's connection hooks fails the boot with its class and file named,
 * instead of running without them.
 */
@Injectable()
export class GatewayConventions implements OnModuleInit {
  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const problems: string[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const type = wrapper.metatype;
      if (typeof type !== 'function' || !Reflect.getMetadata(GATEWAY_METADATA, type)) continue;
      const ignored = ignoredNestFeatures(type as abstract new (...args: never[]) => unknown);
      if (ignored.length > 0) problems.push(`${describeGateway(type)}: ${ignored.join(', ')}`);
    }
    if (problems.length === 0) return;
    throw new Error(
      `RealtimeAdapter does not run Nest's WebSocket message pipeline, so these would be silently ignored: ` +
        `${problems.join('; ')}. Declare frames in the endpoint contract (libs/protocol), give the gateway @RealtimeEndpoint(contract) ` +
        `and one on<Frame> handler each, and check access in admit() or the handler; see README "Adding a frame".`,
    );
  }
}
