import type { AppConfig } from '@numerai/config';
import { captureLogs } from '@numerai/logging';
import { Redis } from 'ioredis';
import { CHANNEL_LINGER_MS, RedisClients, RedisEventBus } from '@numerai/scale-out';
import { RedisClusterServer } from '../support/redis-cluster';
import { REDIS_SERVER, RedisServer, waitFor } from './support/cluster';

const describeIfRedis = REDIS_SERVER ? describe : describe.skip;

/**
 * "Subscribe first, then read": `follow` resolves only once Redis confirmed the sharded
 * subscription, so an event published by another instance right after it is heard. Two
 * buses in this process stand for two instances; on a single Redis and on a Redis Cluster.
 */
describeIfRedis.each(['single', 'cluster'] as const)('event bus follow() on %s Redis', (mode) => {
  let stopRedis: () => Promise<void>;
  let subscribers: (channel: string) => Promise<number>;
  let config: AppConfig;
  const clients: RedisClients[] = [];

  beforeAll(async () => {
    const prefix = `sf${Date.now().toString(36)}`;
    if (mode === 'single') {
      const redis = await RedisServer.start();
      stopRedis = () => redis.stop();
      subscribers = async (channel) => {
        const client = redis.client();
        try {
          const [, count] = (await client.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number];
          return count;
        } finally {
          client.disconnect();
        }
      };
      config = { redisUrl: redis.url, redisClusterNodes: undefined, redisKeyPrefix: prefix } as AppConfig;
    } else {
      const redis = await RedisClusterServer.start(REDIS_SERVER!);
      stopRedis = () => redis.destroy();
      // PUBSUB SHARDNUMSUB answers for the node asked: ask each, the owner counts.
      subscribers = async (channel) => {
        let total = 0;
        for (const port of redis.ports) {
          const client = new Redis(port, '127.0.0.1');
          try {
            const [, count] = (await client.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number];
            total += count;
          } finally {
            client.disconnect();
          }
        }
        return total;
      };
      const nodes = redis.ports.map((port) => ({ host: '127.0.0.1', port }));
      config = { redisUrl: undefined, redisClusterNodes: nodes, redisKeyPrefix: prefix } as AppConfig;
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.onApplicationShutdown()));
    await stopRedis?.();
  }, 30_000);

  const bus = async () => {
    const { loggers } = captureLogs();
    const redis = new RedisClients(config, loggers);
    clients.push(redis);
    const events = new RedisEventBus(redis, config, loggers);
    events.onModuleInit();
    await waitFor('Redis ready', () => redis.isUp);
    return events;
  };

  it('an event published the moment follow() resolved is delivered; an unfollowed room is not', async () => {
    const [publisher, listener] = await Promise.all([bus(), bus()]);
    const heard: string[] = [];
    listener.on('chat.typing', ({ consultation_id }) => heard.push(consultation_id));
    const typing = (consultation_id: string) =>
      publisher.publish('chat.typing', { consultation_id, user_id: 'u', user_name: 'U', is_typing: true });

    for (let i = 0; i < 20; i++) {
      await listener.follow([`room:chat:r${i}`]);
      typing(`r${i}`);
    }
    typing('not-followed');
    await listener.follow(['room:chat:marker']);
    typing('marker');
    // Every followed room's event arrives (on a cluster, rooms on different shards in any
    // order); on a single Redis the marker also proves the unfollowed one will not come.
    const expected = [...Array.from({ length: 20 }, (_, i) => `r${i}`), 'marker'];
    await waitFor('every followed room', () => expected.every((room) => heard.includes(room)));
    expect([...heard].sort()).toEqual([...expected].sort());
  }, 60_000);

  it('keeps a channel while any local user needs it, and drops it a linger after the last is gone', async () => {
    const listener = await bus();
    const channel = `${config.redisKeyPrefix}:{room:chat:counted}`;
    await Promise.all([listener.follow(['room:chat:counted']), listener.follow(['room:chat:counted'])]);
    expect(await subscribers(channel)).toBe(1);
    listener.unfollow(['room:chat:counted']);
    listener.unfollow(['room:chat:counted']);
    // A socket coming back within the linger keeps the same subscription.
    await listener.follow(['room:chat:counted']);
    listener.unfollow(['room:chat:counted']);
    await waitFor('the channel dropped', async () => (await subscribers(channel)) === 0, 5 * CHANNEL_LINGER_MS);
  }, 60_000);
});
