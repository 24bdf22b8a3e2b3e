import { ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { freePort } from './process-server';
import { killRedisProcess, startRedisProcess } from './redis-process';
// The helper itself, not the @numerai/testing barrel: the nemesis run (test/nemesis) uses this
// file outside Jest, where the barrel's entities would need decorator metadata.
import { waitFor } from '../../apps/api/testing/wait-for';

/**
 * A real three-master Redis Cluster on free ports, from the machine's `redis-server` and
 * `redis-cli` (no persistence; the cluster layout lives in a temporary directory, so
 * `stop` + `restart` brings back the same cluster, empty, like a restarted Redis).
 */
export class RedisClusterServer {
  private children = new Map<number, ChildProcess>();
  private created = false;

  private constructor(
    private readonly redisServer: string,
    readonly ports: number[],
    private readonly dir: string,
  ) {}

  static async start(
    redisServer: string,
    masters = 3,
    pickPort: () => Promise<number> = freePort,
  ): Promise<RedisClusterServer> {
    const ports: number[] = [];
    while (ports.length < masters) {
      const port = await pickPort();
      // The cluster bus listens on port + 10000: both must be free and distinct.
      if (port + 10000 < 65536 && !ports.includes(port)) ports.push(port);
    }
    const server = new RedisClusterServer(redisServer, ports, mkdtempSync(join(tmpdir(), 'numerai-redis-cluster-')));
    try {
      await server.restart();
      const create = spawnSync(
        redisCli(redisServer),
        [
          '--cluster',
          'create',
          ...ports.map((port) => `127.0.0.1:${port}`),
          '--cluster-replicas',
          '0',
          '--cluster-yes',
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}${create.stderr}`);
      await server.waitClusterOk();
      server.created = true;
    } catch (error) {
      await server.stop();
      rmSync(server.dir, { recursive: true, force: true });
      throw error;
    }
    return server;
  }

  /** For REDIS_CLUSTER_NODES. */
  get nodes(): string {
    return this.ports.map((port) => `127.0.0.1:${port}`).join(',');
  }

  /** A client of the test's own (the caller quits it). */
  client(): Cluster {
    return new Cluster(this.ports.map((port) => ({ host: '127.0.0.1', port })));
  }

  /** Starts every node again from its saved layout and waits until the cluster serves every slot. */
  async restart(): Promise<void> {
    if (this.children.size > 0) throw new Error('the Redis Cluster is already running');
    await Promise.all(this.ports.map((port) => this.startNode(port)));
    // A fresh start has no slots assigned until `--cluster create`; a restart reloads them.
    if (this.created) await this.waitClusterOk();
  }

  /** SIGKILL every node: the connections drop as if the machines went away. */
  async stop(): Promise<void> {
    const children = [...this.children.values()];
    this.children.clear();
    await Promise.all(children.map(killRedisProcess));
  }

  /** SIGKILL one master, start it again `downMs` later (empty), and wait until every slot is served. */
  async restartNode(port: number, downMs: number): Promise<void> {
    const child = this.children.get(port);
    this.children.delete(port);
    if (child) await killRedisProcess(child);
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.startNode(port);
    await this.waitClusterOk();
  }

  /** Stops the nodes and removes their layout. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async startNode(port: number): Promise<void> {
    const { child } = await startRedisProcess(this.redisServer, port, [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(this.dir, `nodes-${port}.conf`),
      '--cluster-node-timeout',
      '2000',
      '--dir',
      this.dir,
    ]);
    this.children.set(port, child);
  }

  private async waitClusterOk(): Promise<void> {
    const cli = redisCli(this.redisServer);
    await waitFor(
      'cluster_state:ok on every node',
      () =>
        this.ports.every((port) => {
          const info = spawnSync(cli, ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8', timeout: 5000 });
          return info.stdout.includes('cluster_state:ok');
        }),
      30_000,
      100,
    );
  }
}

/** redis-cli next to redis-server (both come in the same package). */
function redisCli(redisServer: string): string {
  return join(redisServer, '..', 'redis-cli');
}
