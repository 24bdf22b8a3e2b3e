import type { ContextLogger } from '@numerai/logging';
import { realtimeMetrics } from '@numerai/metrics';
import type { RedisConnection } from './redis-clients';

/**
 * A channel stays subscribed this long after its last local socket closed, so a reconnect
 * storm (every socket of a room dropping and coming back) does not turn into a storm of
 * SUNSUBSCRIBE/SSUBSCRIBE pairs.
 */
export const CHANNEL_LINGER_MS = 2000;
/** A subscription Redis does not confirm in this long lets the waiting socket go on (local delivery only until it does). */
const SUBSCRIBE_WAIT_MS = 2000;
const RETRY_MS = 500;

interface Entry {
  count: number;
  /** Resolves once Redis confirmed the SSUBSCRIBE (or gave up waiting); never rejects. */
  ready: Promise<void>;
  linger: NodeJS.Timeout | undefined;
}

/**
 * Reference-counted sharded subscriptions on the subscriber connection: SSUBSCRIBE when the
 * first local user of a channel appears, SUNSUBSCRIBE (after a short linger) when the last
 * one is gone. Commands on one connection are answered in order, so an SSUBSCRIBE issued
 * after an SUNSUBSCRIBE of the same channel always wins. After a reconnect ioredis
 * subscribes every channel again by itself (per shard on a cluster).
 */
export class ChannelSubscriptions {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly subscriber: RedisConnection,
    private readonly logger: ContextLogger,
    private readonly lingerMs = CHANNEL_LINGER_MS,
  ) {}

  /** One more local user of `channel`; resolves once messages on it reach this instance. */
  acquire(channel: string): Promise<void> {
    const existing = this.entries.get(channel);
    if (existing) {
      existing.count++;
      clearTimeout(existing.linger);
      existing.linger = undefined;
      return existing.ready;
    }
    const entry: Entry = { count: 1, ready: Promise.resolve(), linger: undefined };
    this.entries.set(channel, entry);
    realtimeMetrics.channelsFollowed(this.entries.size);
    entry.ready = this.subscribe(channel, entry);
    return entry.ready;
  }

  /** One local user of `channel` fewer. */
  release(channel: string): void {
    const entry = this.entries.get(channel);
    if (!entry || --entry.count > 0) return;
    entry.linger = setTimeout(() => {
      if (this.entries.get(channel) !== entry || entry.count > 0) return;
      this.entries.delete(channel);
      realtimeMetrics.channelsFollowed(this.entries.size);
      this.subscriber.sunsubscribe(channel).catch(() => undefined); // gone with the connection anyway
    }, this.lingerMs);
    entry.linger.unref();
  }

  /** Channels followed now (lingering ones included). */
  get size(): number {
    return this.entries.size;
  }

  private subscribe(channel: string, entry: Entry): Promise<void> {
    // While Redis is away nobody waits: local delivery goes on, and the queued SSUBSCRIBE
    // (or ioredis' re-subscription) takes effect when it is back.
    const wait = this.subscriber.status === 'ready' ? SUBSCRIBE_WAIT_MS : 0;
    const confirmed = this.subscriber.ssubscribe(channel).then(
      () => undefined,
      (error: unknown) => this.retry(channel, entry, error),
    );
    if (wait === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      timer.unref();
      void confirmed.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Refused (a cluster still discovering its shards, a connection that ended): again while still wanted. */
  private retry(channel: string, entry: Entry, error: unknown): void {
    this.logger.debug(`subscribing ${channel} failed: ${error instanceof Error ? error.message : String(error)}`);
    const timer = setTimeout(() => {
      if (this.entries.get(channel) !== entry || this.subscriber.status === 'end') return;
      this.subscriber.ssubscribe(channel).catch((again: unknown) => this.retry(channel, entry, again));
    }, RETRY_MS);
    timer.unref();
  }
}
