import { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { RedisClusterServer } from '../support/redis-cluster';
import { killRedisProcess, startRedisProcess } from '../support/redis-process';
import { lowPort } from './ports';

export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => existsSync(path));

/**
 * The run's Redis: one server, or (`--cluster`) a three-master Redis Cluster (test/support).
 * Nothing is persisted, so a restarted node comes back empty (a cluster keeps its layout): the
 * app must treat Redis as lossy. Ports below the ephemeral range; never the shared 6379.
 */
export class RunRedis {
  private single: ChildProcess | undefined;

  private constructor(
    readonly ports: number[],
    private readonly cluster: RedisClusterServer | undefined,
  ) {}

  static async start(cluster: boolean): Promise<RunRedis> {
    if (cluster) {
      const server = await RedisClusterServer.start(REDIS_SERVER!, 3, () => lowPort(true));
      return new RunRedis(server.ports, server);
    }
    const redis = new RunRedis([await lowPort()], undefined);
    redis.single = (await startRedisProcess(REDIS_SERVER!, redis.ports[0])).child;
    return redis;
  }

  /** SIGKILL one node (a cluster master fails), then start it again `downMs` later, empty. */
  async restartNode(port: number, downMs: number): Promise<void> {
    if (this.cluster) return this.cluster.restartNode(port, downMs);
    if (this.single) await killRedisProcess(this.single);
    await new Promise((resolve) => setTimeout(resolve, downMs));
    this.single = (await startRedisProcess(REDIS_SERVER!, port)).child;
  }

  async destroy(): Promise<void> {
    if (this.cluster) await this.cluster.destroy();
    if (this.single) await killRedisProcess(this.single);
  }
}
