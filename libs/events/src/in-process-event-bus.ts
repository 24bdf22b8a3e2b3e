import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { LoggerFactory } from '@numerai/logging';
import type { DomainEvent, DomainEventHandler, DomainEventMap, DomainEventName } from './domain-events';
import { EventBus } from './event-bus';
import { LocalDispatcher } from './local-dispatcher';

/** The embedded default: one process is the whole cluster, so every event is delivered here, synchronously and in order. */
@Injectable()
export class InProcessEventBus extends EventBus {
  readonly instanceId = randomUUID();
  private readonly dispatcher: LocalDispatcher;

  constructor(loggers: LoggerFactory) {
    super();
    this.dispatcher = new LocalDispatcher(loggers.forContext('EventBus'));
  }

  publish<K extends DomainEventName>(name: K, payload: DomainEventMap[K]): void {
    const event: DomainEvent<K> = { name, payload, published_at: Date.now(), origin: this.instanceId };
    this.dispatcher.dispatch(event as DomainEvent, true);
  }

  on<K extends DomainEventName>(name: K, handler: DomainEventHandler<K>): void {
    this.dispatcher.add(name, handler, false);
  }

  onOrigin<K extends DomainEventName>(name: K, handler: DomainEventHandler<K>): void {
    this.dispatcher.add(name, handler, true);
  }

  isConnected(): boolean {
    return true;
  }
}
