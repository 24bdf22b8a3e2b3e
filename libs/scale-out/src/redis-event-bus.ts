import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@numerai/config';
import {
  BROADCAST_CHANNEL,
  ChannelKey,
  DomainEvent,
  DomainEventHandler,
  DomainEventMap,
  DomainEventName,
  EventBus,
  LocalDispatcher,
  routeOf,
} from '@numerai/events';
import { realtimeMetrics } from '@numerai/metrics';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { ChannelSubscriptions } from './channel-subscriptions';
import { RedisClients } from './redis-clients';

/** How often, and how far apart, a refused confirming SSUBSCRIBE is tried again (up to a minute). */
const RESUBSCRIBE_ATTEMPTS = 120;
const RESUBSCRIBE_RETRY_MS = 500;

/** Events kept for other instances while Redis is away; beyond either bound the oldest are dropped (and counted). */
export const MAX_BUFFERED_EVENTS = 10_000;
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/**
 * After Redis comes back, buffered events wait this long before being published, so the
 * other instances' subscribers (reconnecting on the same back-off) are there to hear them.
 */
const FLUSH_SETTLE_MS = 1200;
/** Ids of events heard on several channels, remembered to deliver each once. */
const SEEN_IDS = 4096;

/** On the wire: the event, plus an id when it went out on more than one channel. */
type Envelope = DomainEvent & { id?: string };

interface Held {
  channel: string;
  message: string;
}

/**
 * Domain events across instances over Redis sharded pub/sub, routed (event-routes.ts): an
 * event goes out with SPUBLISH on its room's or users' channels, `<prefix>:{room:…}` /
 * `<prefix>:{user:…}` (the hash tag puts each channel on one shard of a Redis Cluster),
 * and only instances that hold a socket needing it are subscribed (`follow`). Rare events
 * every instance needs go on `<prefix>:{broadcast}`, which all follow. Every instance, the
 * publisher included, delivers through the same LocalDispatcher: the publisher at once (so
 * its own sockets never wait for, or depend on, Redis) and ignores its echo; the others
 * when the message arrives. `onOrigin` handlers run on the publisher only. One connection
 * publishes, so events from one producer on one channel arrive in the order published.
 */
@Injectable()
export class RedisEventBus extends EventBus implements OnModuleInit {
  readonly instanceId: string;
  private readonly dispatcher: LocalDispatcher;
  private readonly logger: ContextLogger;
  private readonly channelPrefix: string;
  private readonly subscriptions: ChannelSubscriptions;
  /** Serialised envelopes waiting for Redis, oldest first. */
  private pending: Held[] = [];
  private pendingBytes = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private droppedSinceLoss = 0;
  private malformedLogged = false;
  private sequence = 0;
  private readonly seen = new Set<string>();
  private readonly resubscribedListeners: Array<() => void> = [];

  constructor(
    private readonly redis: RedisClients,
    config: AppConfig,
    loggers: LoggerFactory,
  ) {
    super();
    this.logger = loggers.forContext('EventBus');
    this.instanceId = redis.instanceId;
    this.channelPrefix = `${config.redisKeyPrefix}:`;
    this.dispatcher = new LocalDispatcher(this.logger);
    this.subscriptions = new ChannelSubscriptions(redis.subscriber, this.logger);
  }

  onModuleInit(): void {
    this.redis.subscriber.on('smessage', (channel: string, message: string) => this.receive(channel, message));
    void this.subscriptions.acquire(this.channelOf(BROADCAST_CHANNEL));
    this.redis.commands.on('ready', () => this.scheduleFlush());
    this.redis.subscriber.on('ready', () => this.subscriberReady());
  }

  publish<K extends DomainEventName>(name: K, payload: DomainEventMap[K]): void {
    const event: Envelope = { name, payload, published_at: Date.now(), origin: this.instanceId };
    const keys = routeOf(name, payload);
    if (keys.length > 1) event.id = `${this.instanceId}:${(++this.sequence).toString(36)}`;
    // To Redis first (a non-blocking write), so an event that a handler publishes while
    // handling this one can never overtake it on the other instances.
    this.forward(event, keys);
    this.dispatcher.dispatch(event as DomainEvent, true);
    realtimeMetrics.fanoutDelay(Date.now() - event.published_at, 'local');
  }

  on<K extends DomainEventName>(name: K, handler: DomainEventHandler<K>): void {
    this.dispatcher.add(name, handler, false);
  }

  onOrigin<K extends DomainEventName>(name: K, handler: DomainEventHandler<K>): void {
    this.dispatcher.add(name, handler, true);
  }

  override follow(keys: ChannelKey[]): Promise<void> {
    if (keys.length === 1) return this.subscriptions.acquire(this.channelOf(keys[0]));
    return Promise.all(keys.map((key) => this.subscriptions.acquire(this.channelOf(key)))).then(() => undefined);
  }

  override unfollow(keys: ChannelKey[]): void {
    for (const key of keys) this.subscriptions.release(this.channelOf(key));
  }

  override onResubscribed(listener: () => void): void {
    this.resubscribedListeners.push(listener);
  }

  /** Whether events from other instances are reaching us: the subscriber connection is up. */
  isConnected(): boolean {
    return this.redis.subscriber.status === 'ready';
  }

  /** `<prefix>:{<key>}`: the braces are the hash tag, so a cluster keeps each channel on one shard. */
  private channelOf(key: ChannelKey): string {
    return `${this.channelPrefix}{${key}}`;
  }

  private forward(event: Envelope, keys: ChannelKey[]): void {
    let message: string;
    try {
      message = JSON.stringify(event);
    } catch (error) {
      this.logger.error(`event ${event.name} is not serialisable: ${String(error)}`);
      return;
    }
    for (const key of keys) {
      const channel = this.channelOf(key);
      // Anything already waiting goes first, to keep the order.
      if (this.pending.length > 0 || !this.redis.canCommand) this.hold({ channel, message });
      else this.send(channel, message);
    }
  }

  private send(channel: string, message: string): void {
    this.redis.commands.spublish(channel, message).catch(() => {
      // The connection dropped under this write; whether Redis saw it is unknown, so it is
      // not retried (a retry could duplicate or reorder). The loss is logged once by RedisClients.
      realtimeMetrics.eventsDropped();
    });
  }

  private hold(held: Held): void {
    while (
      this.pending.length > 0 &&
      (this.pending.length >= MAX_BUFFERED_EVENTS || this.pendingBytes + held.message.length > MAX_BUFFERED_BYTES)
    ) {
      this.pendingBytes -= this.pending.shift()!.message.length;
      realtimeMetrics.eventsDropped();
      if (this.droppedSinceLoss++ === 0) {
        this.logger.warn(
          `the buffer of events waiting for Redis is full (${MAX_BUFFERED_EVENTS} events or ` +
            `${MAX_BUFFERED_BYTES / 1024 / 1024} MiB); dropping the oldest (other instances miss them)`,
        );
      }
    }
    this.pending.push(held);
    this.pendingBytes += held.message.length;
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
    for (const { channel, message } of batch) this.send(channel, message);
  }

  /**
   * Every 'ready' but the first at start-up follows a time without Redis (and at start-up
   * sockets opened before Redis was reachable missed the others' events too; with none,
   * listeners have nothing to do). On a reconnect ioredis sends the SSUBSCRIBEs again before
   * 'ready' reaches us; one more (of the broadcast channel, followed for good) is answered
   * after them, so once it is confirmed events reach us again and a value read from then on
   * misses nothing.
   */
  private subscriberReady(attempt = 0): void {
    this.redis.subscriber.ssubscribe(this.channelOf(BROADCAST_CHANNEL)).then(
      () => this.announceResubscribed(),
      () => {
        // A Redis Cluster reports 'ready' while its slots may still be moving (CLUSTERDOWN,
        // a shard subscriber still connecting): no further 'ready' follows, so try again a
        // bounded number of times while the connection stays up. Lost again: the next 'ready'.
        if (attempt >= RESUBSCRIBE_ATTEMPTS || this.redis.subscriber.status !== 'ready') return;
        setTimeout(() => this.subscriberReady(attempt + 1), RESUBSCRIBE_RETRY_MS).unref();
      },
    );
  }

  private announceResubscribed(): void {
    for (const listener of this.resubscribedListeners) {
      try {
        listener();
      } catch (error) {
        this.logger.error(`a listener for the resubscription failed: ${String(error)}`);
      }
    }
  }

  private receive(channel: string, message: string): void {
    if (!channel.startsWith(this.channelPrefix)) return; // another deployment's (or app's) channel
    realtimeMetrics.eventReceived(kindOf(channel, this.channelPrefix.length));
    let event: Envelope;
    try {
      event = JSON.parse(message) as Envelope;
    } catch {
      this.warnMalformed();
      return;
    }
    if (!event || typeof event.name !== 'string' || typeof event.origin !== 'string') {
      this.warnMalformed();
      return;
    }
    if (event.origin === this.instanceId) return; // our own echo: delivered locally at publish
    if (typeof event.id === 'string' && this.alreadySeen(event.id)) return; // heard on another of its channels
    this.dispatcher.dispatch(event, false);
    if (typeof event.published_at === 'number') {
      realtimeMetrics.fanoutDelay(Date.now() - event.published_at, 'remote');
    }
  }

  /** Sent on several channels, an event reaches an instance following more than one of them once per channel. */
  private alreadySeen(id: string): boolean {
    if (this.seen.has(id)) return true;
    this.seen.add(id);
    if (this.seen.size > SEEN_IDS) this.seen.delete(this.seen.values().next().value!);
    return false;
  }

  private warnMalformed(): void {
    if (this.malformedLogged) return;
    this.malformedLogged = true;
    this.logger.warn('ignoring a malformed message on an event channel (logged once)');
  }
}

/** `room`, `user` or `broadcast` from `<prefix>:{room:…}`: a bounded metric label, never an id. */
function kindOf(channel: string, prefixLength: number): string {
  const end = channel.indexOf(':', prefixLength + 1);
  const kind = channel.slice(prefixLength + 1, end < 0 ? channel.length - 1 : end);
  return kind === 'room' || kind === 'user' || kind === 'broadcast' ? kind : 'other';
}
