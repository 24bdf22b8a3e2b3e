import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Cluster, Redis, RedisOptions } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AppConfig, RedisNode } from '@numerai/config';
import { ContextLogger, LoggerFactory } from '@numerai/logging';

/** Longest pause between reconnect attempts: cross-instance fan-out resumes within about this long of Redis returning. */
const MAX_RECONNECT_DELAY_MS = 1000;
/** A command Redis does not answer in this long fails, and the caller falls back to its local answer. */
const COMMAND_TIMEOUT_MS = 2000;

/** One Redis server, or a Redis Cluster (REDIS_CLUSTER_NODES): the same commands, routed by slot. */
export type RedisConnection = Redis | Cluster;

/**
 * The instance's two Redis connections: `commands` (everything but subscriptions) and
 * `subscriber` (pub/sub mode). Both reconnect forever by themselves. `commands` has no
 * offline queue: while Redis is away, calls fail at once and every user of it falls back
 * to this instance's local answer instead of waiting. One log line when Redis is lost,
 * one when it is back. With REDIS_CLUSTER_NODES both are Cluster clients: commands go to the
 * master owning their key's slot, and sharded subscriptions (SSUBSCRIBE) to one subscriber
 * connection per master (ioredis `shardedSubscribers`).
 */
@Injectable()
export class RedisClients implements OnApplicationShutdown {
  /** This process in the cluster: the event-bus origin and the owner of its presence counts. */
  readonly instanceId = randomUUID();
  readonly prefix: string;
  readonly commands: RedisConnection;
  readonly subscriber: RedisConnection;
  /** Connected to a Redis Cluster rather than one server. */
  readonly cluster: boolean;
  private readonly logger: ContextLogger;
  private readonly beforeQuitTasks: Array<() => Promise<unknown>> = [];
  private healthy = false;
  private everHealthy = false;
  private announcedUnreachable = false;
  private lastError: string | undefined;
  private stopping = false;

  private readonly natMap: AppConfig['redisClusterNatMap'];

  constructor(config: AppConfig, loggers: LoggerFactory) {
    this.natMap = config.redisClusterNatMap;
    this.logger = loggers.forContext('Redis');
    const target = config.redisClusterNodes ?? config.redisUrl;
    if (!target) throw new Error('RedisClients needs REDIS_URL or REDIS_CLUSTER_NODES');
    this.prefix = config.redisKeyPrefix;
    this.cluster = Array.isArray(target);
    this.commands = this.connect(target, 'commands', {
      enableOfflineQueue: false,
      commandTimeout: COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
    });
    // Subscriptions issued before the first connect wait in the offline queue; ioredis re-subscribes after reconnects.
    this.subscriber = this.connect(target, 'subscriber', { enableOfflineQueue: true });
  }

  /** Both connections ready: cross-instance fan-out, shared presence and shared limits all work. */
  get isUp(): boolean {
    return this.commands.status === 'ready' && this.subscriber.status === 'ready';
  }

  /** `commands` is ready; callers that get false use their local fallback without trying. */
  get canCommand(): boolean {
    return this.commands.status === 'ready';
  }

  /** For /health: both connections ready and a PING answered within a second. */
  async ping(): Promise<boolean> {
    if (!this.isUp) return false;
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = await Promise.race([
        this.commands.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('PING timed out')), 1000);
        }),
      ]);
      return answer === 'PONG';
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs at shutdown, after every socket was closed and before the connections quit (presence clean-up). */
  beforeQuit(task: () => Promise<unknown>): void {
    this.beforeQuitTasks.push(task);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await Promise.allSettled(this.beforeQuitTasks.map((task) => withDeadline(task(), 2000)));
    await Promise.allSettled([this.quit(this.commands), this.quit(this.subscriber)]);
  }

  private connect(
    target: string | RedisNode[],
    role: 'commands' | 'subscriber',
    options: Pick<RedisOptions, 'enableOfflineQueue' | 'commandTimeout' | 'maxRetriesPerRequest'>,
  ): RedisConnection {
    // Never give up: back off to at most MAX_RECONNECT_DELAY_MS between attempts.
    const backOff = (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 5), MAX_RECONNECT_DELAY_MS);
    const common = { connectionName: `numerai-${role}`, connectTimeout: 3000 };
    // Commands issued in one event-loop turn leave in one write: a group commit announces its
    // whole batch at once, and one write per SPUBLISH was a tenth of an instance's CPU (issue 26).
    // Order per connection is kept, which is all the bus relies on. Single server only: on a
    // Redis Cluster, ioredis 5's auto-pipelining lost presence and chat events after an
    // instance was killed (test/scale-out/failover, 2 of 4 runs; 0 of 6 without it).
    const enableAutoPipelining = role === 'commands' && typeof target === 'string';
    const client: RedisConnection =
      typeof target === 'string'
        ? new Redis(target, {
            ...common,
            enableReadyCheck: true,
            enableAutoPipelining,
            retryStrategy: backOff,
            ...options,
          })
        : new Cluster(target, {
            enableReadyCheck: true,
            enableOfflineQueue: options.enableOfflineQueue,
            clusterRetryStrategy: backOff,
            natMap: this.natMap,
            // One subscriber connection per master: SSUBSCRIBE goes to the shard owning the channel.
            shardedSubscribers: role === 'subscriber',
            redisOptions: {
              ...common,
              commandTimeout: options.commandTimeout,
              maxRetriesPerRequest: options.maxRetriesPerRequest,
            },
          });
    client.on('ready', () => this.evaluate());
    client.on('close', () => this.evaluate());
    client.on('end', () => this.evaluate());
    // Without an 'error' listener ioredis would print every failed reconnect attempt.
    client.on('error', (error: Error) => {
      this.lastError = error.message;
      if (!this.everHealthy && !this.announcedUnreachable && !this.stopping) {
        this.announcedUnreachable = true;
        this.logger.error(`Redis is unreachable (${error.message}); serving this instance's sockets only and retrying`);
      }
    });
    return client;
  }

  /** Logs transitions of the pair, never individual attempts. */
  private evaluate(): void {
    const healthy = this.isUp;
    if (healthy === this.healthy) return;
    this.healthy = healthy;
    if (this.stopping) return;
    if (healthy) {
      this.logger.log(
        this.everHealthy
          ? 'Redis connection restored; cross-instance fan-out, shared presence and shared limits resumed'
          : `Redis connected (instance ${this.instanceId})`,
      );
      this.everHealthy = true;
    } else if (this.everHealthy) {
      this.logger.error(
        `Redis connection lost (${this.lastError ?? 'connection closed'}); serving this instance's sockets ` +
          'only, limits and presence are per-instance until it is back; reconnecting',
      );
    }
  }

  private async quit(client: RedisConnection): Promise<void> {
    if (client.status === 'end') return;
    if (client.status !== 'ready') {
      client.disconnect(false);
      return;
    }
    try {
      await withDeadline(client.quit(), 1000);
    } catch {
      client.disconnect(false);
    }
  }
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
