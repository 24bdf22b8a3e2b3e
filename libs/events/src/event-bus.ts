import type { DomainEventHandler, DomainEventMap, DomainEventName } from './domain-events';
import type { ChannelKey } from './event-routes';

/**
 * Carries domain events to the instances that need them (see event-routes.ts). Subscribers
 * registered with `on` run on every instance that hears the event (to reach local sockets);
 * those registered with `onOrigin` run only on the instance that published (to act once:
 * store a notification, say).
 */
export abstract class EventBus {
  abstract publish<K extends DomainEventName>(name: K, payload: DomainEventMap[K]): void;
  abstract on<K extends DomainEventName>(name: K, handler: DomainEventHandler<K>): void;
  abstract onOrigin<K extends DomainEventName>(name: K, handler: DomainEventHandler<K>): void;
  /** Whether events from other instances are reaching us right now (always true in-process). */
  abstract isConnected(): boolean;
  abstract readonly instanceId: string;

  /**
   * This instance starts needing `keys` (a local socket opened). Resolves once events on
   * them reach this instance — subscribe first, then read: a catch-up read made after it
   * misses nothing. Counted: each call is matched by one `unfollow`. In-process every event
   * is heard anyway.
   */
  follow(keys: ChannelKey[]): Promise<void> {
    void keys;
    return Promise.resolve();
  }

  /** The socket that needed `keys` closed. */
  unfollow(keys: ChannelKey[]): void {
    void keys;
  }

  /**
   * Calls `listener` each time events from other instances start reaching this instance
   * (its subscription is ready: after a lost connection came back, or first connected late). Events published meanwhile may
   * never arrive — delivery across instances is at most once — so a plain value they carry
   * (not a positioned stream, which catches up by its positions) should be read again then.
   * Never called in-process, where nothing is lost.
   */
  onResubscribed(listener: () => void): void {
    void listener;
  }
}
