import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@numerai/config';
import {
  DomainEvent,
  DomainEventHandler,
  DomainEventMap,
  DomainEventName,
  EventBus,
  LocalDispatcher,
} from '@numerai/events';
import { realtimeMetrics } from '@numerai/metrics';
import { RedisClients } from './redis-clients';

/** Events kept for other instances while Redis is away; beyond either bound the oldest are dropped (and counted). */
export const MAX_BUFFERED_EVENTS = 10_000;
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/**
 * After Redis comes back, buffered events wait this long before being published, so the
 * other instances' subscribers (reconnecting on the same back-off) are there to hear them.
 */
const FLUSH_SETTLE_MS = 1200;

/**
 * Domain events across instances over one Redis pub/sub channel, one PUBLISH per event
 * (not per recipient). Every instance, the publisher included, delivers through the same
 * LocalDispatcher: the publisher at once (so its own sockets never wait for, or depend
 * on, Redis) and ignores its echo; the others when the message arrives. `onOrigin`
 * handlers run on the publisher only. One connection publishes, so events from one
 * producer reach every instance in the order they were published.
 */
@Injectable()
export class RedisEventBus extends EventBus implements OnModuleInit {
  readonly instanceId: string;
  private readonly dispatcher = new LocalDispatcher();
  private readonly logger = new Logger('EventBus');
  private readonly channel: string;
  /** Serialised envelopes waiting for Redis, oldest first. */
  private pending: string[] = [];
  private pendingBytes = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private droppedSinceLoss = 0;
  private malformedLogged = false;

  constructor(
    private readonly redis: RedisClients,
    config: AppConfig,
  ) {
    super();
    this.instanceId = redis.instanceId;
    this.channel = `${config.redisKeyPrefix}:events`;
  }

  onModuleInit(): void {
    this.redis.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.receive(message);
    });
    this.redis.subscriber.subscribe(this.channel).catch((error: unknown) => {
      // Only if the connection ends for good; ioredis re-subscribes by itself after reconnects.
      this.logger.warn(
        `subscribe to ${this.channel} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    this.redis.commands.on('ready', () => this.scheduleFlush());
  }

  publish<K extends DomainEventName>(name: K, payload: DomainEventMap[K]): void {
    const event: DomainEvent<K> = { name, payload, published_at: Date.now(), origin: this.instanceId };
    // To Redis first (a non-blocking write), so an event that a handler publishes while
    // handling this one can never overtake it on the other instances.
    this.forward(event);
    this.dispatcher.dispatch(event as DomainEvent, true);
    realtimeMetrics.fanoutDelay(Date.now() - event.published_at, 'local');
  }

  on<K extends DomainEventName>(name: K, handler: DomainEventHandler<K>): void {
    this.dispatcher.add(name, handler, false);
  }

  onOrigin<K extends DomainEventName>(name: K, handler: DomainEventHandler<K>): void {
    this.dispatcher.add(name, handler, true);
  }

  /** Whether events from other instances are reaching us: the subscriber connection is up. */
  isConnected(): boolean {
    return this.redis.subscriber.status === 'ready';
  }

  /** For tests and metrics: events waiting for Redis. */
  get buffered(): number {
    return this.pending.length;
  }

  private forward(event: DomainEvent): void {
    let message: string;
    try {
      message = JSON.stringify(event);
    } catch (error) {
      this.logger.error(`event ${event.name} is not serialisable: ${String(error)}`);
      return;
    }
    // Anything already waiting goes first, to keep the order.
    if (this.pending.length > 0 || !this.redis.canCommand) {
      this.hold(message);
      return;
    }
    this.send(message);
  }

  private send(message: string): void {
    this.redis.commands.publish(this.channel, message).catch(() => {
      // The connection dropped under this write; whether Redis saw it is unknown, so it is
      // not retried (a retry could duplicate or reorder). The loss is logged once by RedisClients.
      realtimeMetrics.eventsDropped();
    });
  }

  private hold(message: string): void {
    while (
      this.pending.length > 0 &&
      (this.pending.length >= MAX_BUFFERED_EVENTS || this.pendingBytes + message.length > MAX_BUFFERED_BYTES)
    ) {
      this.pendingBytes -= this.pending.shift()!.length;
      realtimeMetrics.eventsDropped();
      if (this.droppedSinceLoss++ === 0) {
        this.logger.warn(
          `the buffer of events waiting for Redis is full (${MAX_BUFFERED_EVENTS} events or ` +
            `${MAX_BUFFERED_BYTES / 1024 / 1024} MiB); dropping the oldest (other instances miss them)`,
        );
      }
    }
    this.pending.push(message);
    this.pendingBytes += message.length;
    if (this.redis.canCommand) this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.pending.length === 0 || this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, FLUSH_SETTLE_MS);
    this.flushTimer.unref();
  }

  private flush(): void {
    if (!this.redis.canCommand) return; // lost again; the next 'ready' reschedules
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.droppedSinceLoss = 0;
    if (batch.length > 0) this.logger.log(`published ${batch.length} events held while Redis was away`);
    for (const message of batch) this.send(message);
  }

  private receive(message: string): void {
    let event: DomainEvent;
    try {
      event = JSON.parse(message) as DomainEvent;
    } catch {
      this.warnMalformed();
      return;
    }
    if (!event || typeof event.name !== 'string' || typeof event.origin !== 'string') {
      this.warnMalformed();
      return;
    }
    if (event.origin === this.instanceId) return; // our own echo: delivered locally at publish
    this.dispatcher.dispatch(event, false);
    if (typeof event.published_at === 'number') {
      realtimeMetrics.fanoutDelay(Date.now() - event.published_at, 'remote');
    }
  }

  private warnMalformed(): void {
    if (this.malformedLogged) return;
    this.malformedLogged = true;
    this.logger.warn(`ignoring a malformed message on ${this.channel} (logged once)`);
  }
}
