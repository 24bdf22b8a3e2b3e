import { Injectable } from '@nestjs/common';
import { AppConfig } from '@numerai/config';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { PresenceKeys, presenceScripts, PresenceScripts, RedisClients } from '@numerai/scale-out';
import { InProcessPresenceStore, PresenceStore } from './presence-store';

/**
 * Who has been announced online, and when each user was last seen, shared by every
 * instance: an instance that sees a user come back knows whether the rest of the
 * cluster was ever told they left, so grace and anti-flap hold across instances.
 * While Redis is away it answers from an in-process store (this instance's view);
 * the directory's resync after the outage re-announces whatever changed unseen.
 */
@Injectable()
export class RedisPresenceStore extends PresenceStore {
  private readonly logger: ContextLogger;
  private readonly keys: PresenceKeys;
  private readonly scripts: PresenceScripts;
  private readonly local = new InProcessPresenceStore();

  constructor(
    private readonly redis: RedisClients,
    config: AppConfig,
    loggers: LoggerFactory,
  ) {
    super();
    this.logger = loggers.forContext('Presence');
    this.keys = new PresenceKeys(config.redisKeyPrefix);
    this.scripts = presenceScripts(redis.commands);
  }

  async markOnline(userId: string): Promise<boolean> {
    return this.shared(
      async () => (await this.redis.commands.sadd(this.keys.announced, userId)) === 1,
      () => this.local.markOnline(userId),
    );
  }

  async markOffline(userId: string, lastSeen: Date): Promise<boolean> {
    return this.shared(
      async () =>
        (await this.scripts.markOffline(
          [this.keys.announced, this.keys.lastSeen],
          [userId, lastSeen.toISOString()],
        )) === 1,
      () => this.local.markOffline(userId, lastSeen),
    );
  }

  async announcedAmong(userIds: string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    return this.shared(
      async () => {
        const flags = await this.redis.commands.smismember(this.keys.announced, ...userIds);
        return new Set(userIds.filter((_, i) => flags[i] === 1));
      },
      () => this.local.announcedAmong(userIds),
    );
  }

  async lastSeen(userIds: string[]): Promise<Map<string, string>> {
    if (userIds.length === 0) return new Map();
    return this.shared(
      async () => {
        const values = await this.redis.commands.hmget(this.keys.lastSeen, ...userIds);
        const result = new Map<string, string>();
        userIds.forEach((id, i) => {
          const seen = values[i];
          if (seen) result.set(id, seen);
        });
        return result;
      },
      () => this.local.lastSeen(userIds),
    );
  }

  private async shared<T>(remote: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    if (!this.redis.canCommand) return fallback();
    try {
      return await remote();
    } catch (error) {
      this.logger.debug(`presence store fell back to local: ${String(error)}`);
      return fallback();
    }
  }
}
