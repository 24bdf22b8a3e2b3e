import type { Cluster as RedisClusterClient, Redis } from 'ioredis';
import { createUser } from '../support/factories';
import { testClient } from '@numerai/testing';
import { Cluster, describeScaleOut, waitFor } from './support/cluster';

/**
 * Stopping the last instance of a cluster: there is nobody to hand its pending offlines to,
 * so it records them itself and leaves no presence bookkeeping behind in Redis. A long grace
 * period keeps the user's offline pending at the moment the instance stops.
 */
describeScaleOut('scale-out: the last instance stops', () => {
  let cluster: Cluster;
  let redis: Redis | RedisClusterClient;
  beforeAll(async () => {
    cluster = await Cluster.start(1, { PRESENCE_GRACE_MS: '60000' });
    redis = cluster.redis.client();
  }, 120_000);
  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
  }, 60_000);

  it('settles its pending offline itself: no "handed to the others", no presence:leaving key, the user offline', async () => {
    const [A] = cluster.instances;
    const key = (name: string) => `{${cluster.env.REDIS_KEY_PREFIX}:presence}:${name}`;
    const user = await createUser(A);
    const socket = await testClient(A).presence(user);
    await socket.next('presence_state');
    await waitFor('the user announced online', async () => (await redis.sismember(key('announced'), user.id)) === 1);
    await socket.close();
    await waitFor('the offline pending in Redis', async () => (await redis.zscore(key('leaving'), user.id)) !== null);

    expect(await A.stop()).toEqual({ code: 0, signal: null });

    expect(A.logsMatching(/handed to the/)).toEqual([]);
    expect(A.logsMatching(/last instance; 1 user\(s\) recorded offline/)).toHaveLength(1);
    expect(await redis.exists(key('leaving'))).toBe(0);
    expect(await redis.sismember(key('announced'), user.id)).toBe(0);
    expect(await redis.hget(key('last_seen'), user.id)).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await redis.smembers(key('instances'))).toEqual([]);
  }, 60_000);
});
