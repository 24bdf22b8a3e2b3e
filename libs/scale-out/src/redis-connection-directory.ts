import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Principal } from '@numerai/common';
import { AppConfig } from '@numerai/config';
import { ClientConnection, ConnectionDirectory, ConnectionRegistry } from '@numerai/realtime';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { PresenceKeys, presenceScripts, PresenceScripts, roomField, userField } from './presence-scripts';
import { RedisClients } from './redis-clients';

/**
 * Connection counts across the cluster, in Redis. Each instance keeps its own hash
 * (a projection of its local registry), refreshes a heartbeat with a TTL, and one
 * instance at a time reaps those whose heartbeat expired, so the users of a dead
 * instance go offline on the others within TTL + TTL/3 + the offline grace.
 *
 * userConnected / userDisconnected fire on the instance whose change moved the
 * cluster-wide count 0→1 / 1→0 (or, for a dead instance's users, on the reaper).
 * While Redis is away every answer comes from this instance's registry and transitions
 * follow the local count; when it is back the projection is rewritten and any
 * transition that happened unseen is fired then.
 */
@Injectable()
export class RedisConnectionDirectory extends ConnectionDirectory implements OnModuleInit {
  private readonly logger: ContextLogger;
  private readonly keys: PresenceKeys;
  private readonly scripts: PresenceScripts;
  private readonly instanceId: string;
  private readonly ttlMs: number;
  private readonly intervalMs: number;
  private readonly graceMs: number;
  /** Our projection in Redis may be wrong (start-up, an outage, a failed write): rewrite it. */
  private dirty = true;
  private resyncing = false;
  private ticking = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Users who went offline cluster-wide by a change here, with the score recorded in `leaving`. */
  private readonly handledLeaves = new Map<string, number>();
  /** Changes sent to Redis and not answered yet (shutdown waits for them). */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly redis: RedisClients,
    config: AppConfig,
    loggers: LoggerFactory,
  ) {
    super();
    this.logger = loggers.forContext('Presence');
    this.keys = new PresenceKeys(config.redisKeyPrefix);
    this.scripts = presenceScripts(redis.commands);
    this.instanceId = redis.instanceId;
    this.ttlMs = config.presence.instanceTtlMs;
    this.intervalMs = Math.max(200, Math.floor(this.ttlMs / 3));
    this.graceMs = config.presence.graceMs;
  }

  onModuleInit(): void {
    this.redis.commands.on('ready', () => {
      this.dirty = true;
      this.resync();
    });
    if (this.redis.canCommand) this.resync();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    this.redis.beforeQuit(() => this.leave());
  }

  // ---- cluster-wide questions -------------------------------------------------

  async connectionCount(userId: string): Promise<number> {
    const local = this.registry.countForUser(userId);
    const totals = await this.sum([userField(userId)]);
    // Our own part may not be in Redis yet (right after an outage): never answer less than we hold.
    return totals ? Math.max(totals[0], local) : local;
  }

  async hasRoomConnection(userId: string, room: string): Promise<boolean> {
    if (this.registry.inRoom(userId, room)) return true;
    const totals = await this.sum([roomField(room, userId)]);
    return totals ? totals[0] > 0 : false;
  }

  async onlineAmong(userIds: string[]): Promise<Set<string>> {
    const online = new Set(userIds.filter((id) => this.registry.countForUser(id) > 0));
    const rest = userIds.filter((id) => !online.has(id));
    if (rest.length === 0) return online;
    const totals = await this.sum(rest.map(userField));
    if (totals) rest.forEach((id, i) => totals[i] > 0 && online.add(id));
    return online;
  }

  // ---- local changes ------------------------------------------------------------

  /** Called after the registry added the connection: counted (its events are followed by ConnectionAdmission). */
  opened(connection: ClientConnection): Promise<void> {
    this.change(connection, 1);
    return Promise.resolve();
  }

  /** Called after the registry removed the connection. */
  closed(connection: ClientConnection): void {
    this.change(connection, -1);
  }

  private change(connection: ClientConnection, delta: 1 | -1): void {
    const local = this.registry.countForUser(connection.userId);
    if (!this.redis.canCommand || this.stopped) {
      this.dirty = true;
      this.followLocal(connection, delta, local);
      return;
    }
    const now = Date.now();
    const done = this.scripts
      .change(
        [this.keys.instances, this.keys.conns(this.instanceId), this.keys.leaving],
        [
          this.instanceId,
          connection.userId,
          roomField(connection.room, connection.userId),
          delta,
          this.keys.connsPrefix,
          now,
        ],
      )
      .then(
        (total) => {
          if (total < 0) {
            // Not registered (reaped while alive, or Redis lost its data): rewrite everything.
            this.dirty = true;
            this.followLocal(connection, delta, local);
            this.resync();
          } else if (delta > 0 && total === 1) {
            this.fireConnected(connection.user);
          } else if (delta < 0 && total === 0) {
            this.handledLeaves.set(connection.userId, now);
            this.fireDisconnected(connection.userId);
          }
        },
        () => {
          this.dirty = true;
          this.followLocal(connection, delta, local);
        },
      )
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }

  /** Without Redis, this instance's count is the best knowledge there is. */
  private followLocal(connection: ClientConnection, delta: 1 | -1, local: number): void {
    if (delta > 0 && local === 1) this.fireConnected(connection.user);
    else if (delta < 0 && local === 0) this.fireDisconnected(connection.userId);
  }

  // ---- upkeep -------------------------------------------------------------------

  /** Heartbeat, forget handled offlines, reap dead instances; every TTL/3. */
  private tick(): void {
    if (this.ticking || this.stopped || !this.redis.canCommand) return;
    if (this.dirty) this.resync();
    this.ticking = true;
    const now = Date.now();
    const settled: Array<string | number> = [];
    for (const [userId, at] of this.handledLeaves) {
      // Our PresenceService had its grace period to announce the offline; no one else needs to.
      if (now - at > this.graceMs + 500) {
        settled.push(userId, at);
        this.handledLeaves.delete(userId);
      }
    }
    this.scripts
      .heartbeat(
        [this.keys.instances, this.keys.heartbeat(this.instanceId), this.keys.leaving],
        [this.instanceId, this.ttlMs, now, ...settled],
      )
      .then(async (registered) => {
        if (registered === 0 && !this.resyncing) {
          this.logger.warn('this instance had been reaped from Redis presence (stalled or data lost); re-registering');
          this.dirty = true;
          this.resync();
        }
        const gone = await this.scripts.reap(
          [this.keys.instances, this.keys.leaving, this.keys.reaperLock],
          [
            this.instanceId,
            this.keys.connsPrefix,
            this.keys.heartbeatPrefix,
            Math.max(100, this.intervalMs - 50),
            now - (this.graceMs + 2 * this.intervalMs + 1000),
            now,
          ],
        );
        if (gone.length > 0) this.logger.log(`${gone.length} user(s) went offline with a dead or departed instance`);
        for (const userId of gone) {
          if (this.registry.countForUser(userId) > 0) continue;
          this.handledLeaves.set(userId, now);
          this.fireDisconnected(userId);
        }
      })
      .catch((error: unknown) => this.logger.debug(`presence upkeep failed: ${String(error)}`))
      .finally(() => {
        this.ticking = false;
      });
  }

  /** Rewrites our projection from the registry and fires the transitions nobody saw. */
  private resync(): void {
    if (this.resyncing || this.stopped || !this.redis.canCommand) return;
    this.resyncing = true;
    this.dirty = false;
    const now = Date.now();
    const counts = this.snapshot();
    const pairs: Array<string | number> = [];
    for (const [field, count] of counts) pairs.push(field, count);
    this.scripts
      .resync(
        [
          this.keys.instances,
          this.keys.conns(this.instanceId),
          this.keys.heartbeat(this.instanceId),
          this.keys.leaving,
        ],
        [this.instanceId, this.keys.connsPrefix, this.ttlMs, now, ...pairs],
      )
      .then(
        (result) => {
          for (let i = 0; i < result.length; i += 2) {
            const userId = String(result[i]);
            const total = Number(result[i + 1]);
            const mine = counts.get(userField(userId)) ?? 0;
            if (mine > 0 && total === mine) {
              const user = this.principalOf(userId);
              if (user) this.fireConnected(user);
            } else if (mine === 0 && total === 0) {
              this.handledLeaves.set(userId, now);
              this.fireDisconnected(userId);
            }
          }
        },
        (error: unknown) => {
          this.dirty = true;
          this.logger.debug(`presence resync failed: ${String(error)}`);
        },
      )
      .finally(() => {
        this.resyncing = false;
      });
  }

  /**
   * Graceful shutdown (after every socket closed): drop our projection. The offlines our
   * own PresenceService would have announced after its grace period die with this process,
   * so they are handed to the reaper of another instance, due at once — or, when this was
   * the last instance, recorded as offline right here (there is nobody left to tell).
   */
  private async leave(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (!this.redis.canCommand) return;
    // The closes of the sockets just shut down are still on their way back from Redis.
    await Promise.allSettled([...this.inFlight]);
    const pending: Array<string | number> = [];
    for (const [userId, at] of this.handledLeaves) pending.push(userId, at, new Date(at).toISOString());
    this.handledLeaves.clear();
    const [others, settled] = await this.scripts.leave(
      [
        this.keys.instances,
        this.keys.conns(this.instanceId),
        this.keys.heartbeat(this.instanceId),
        this.keys.leaving,
        this.keys.announced,
        this.keys.lastSeen,
      ],
      [this.instanceId, new Date().toISOString(), ...pending],
    );
    this.logger.log(
      others > 0
        ? `left the cluster's presence; ${settled} pending offline(s) handed to the ${others} other instance(s)`
        : `left the cluster's presence as its last instance; ${settled} user(s) recorded offline`,
    );
  }

  // ---- helpers ------------------------------------------------------------------

  private async sum(fields: string[]): Promise<number[] | undefined> {
    if (!this.redis.canCommand) return undefined;
    try {
      const totals = await this.scripts.sum([this.keys.instances], [this.keys.connsPrefix, ...fields]);
      return totals.map(Number);
    } catch {
      return undefined;
    }
  }

  private snapshot(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const connection of this.registry.all()) {
      const uf = userField(connection.userId);
      counts.set(uf, (counts.get(uf) ?? 0) + 1);
      const rf = roomField(connection.room, connection.userId);
      counts.set(rf, (counts.get(rf) ?? 0) + 1);
    }
    return counts;
  }

  private principalOf(userId: string): Principal | undefined {
    const connections = this.registry.ofUser(userId);
    if (!connections) return undefined;
    for (const connection of connections) return connection.user;
    return undefined;
  }

  private fireConnected(user: Principal): void {
    for (const listener of this.listeners) {
      try {
        listener.userConnected(user);
      } catch (error) {
        this.logger.error(error instanceof Error ? error : String(error));
      }
    }
  }

  private fireDisconnected(userId: string): void {
    for (const listener of this.listeners) {
      try {
        listener.userDisconnected(userId);
      } catch (error) {
        this.logger.error(error instanceof Error ? error : String(error));
      }
    }
  }
}
