import type { DomainEventHandler, DomainEventMap, DomainEventName } from './domain-events';

/**
 * Carries domain events to every instance of the cluster. Subscribers registered with
 * `on` run on every instance (to reach local sockets); those registered with `onOrigin`
 * run only on the instance that published (to act once: store a notification, say).
 */
export abstract class EventBus {
  abstract publish<K extends DomainEventName>(name: K, payload: DomainEventMap[K]): void;
  abstract on<K extends DomainEventName>(name: K, handler: DomainEventHandler<K>): void;
  abstract onOrigin<K extends DomainEventName>(name: K, handler: DomainEventHandler<K>): void;
  /** Whether events from other instances are reaching us right now (always true in-process). */
  abstract isConnected(): boolean;
  abstract readonly instanceId: string;
}
