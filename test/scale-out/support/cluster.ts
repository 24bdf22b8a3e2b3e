import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Cluster as RedisClusterClient, Redis } from 'ioredis';
import { Client } from 'pg';
import { OpenSockets, testClient, type TestClient } from '@numerai/testing';
import { createTestDatabase, TestDatabase } from '../../support/database';
import { createUser, type TestUser } from '../../support/factories';
import { freePort, MAIN } from '../../support/process-server';
import { RedisClusterServer } from '../../support/redis-cluster';
import { killRedisProcess, startRedisProcess } from '../../support/redis-process';
import { TEST_JWT_SECRET } from '../../support/rest-helpers';
import { Proxy } from '../../nemesis/proxy';

const ROOT = join(__dirname, '..', '..', '..');

// ---- can this suite run here? ------------------------------------------------------

function findOnPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, binary);
    if (dir && existsSync(candidate)) return candidate;
  }
  return ['/usr/bin', '/usr/local/bin', '/usr/sbin'].map((dir) => join(dir, binary)).find((path) => existsSync(path));
}

export const REDIS_SERVER = findOnPath('redis-server');
/** Debian's libfaketime wrapper, for an instance whose clock is off (CI installs it; see .ci/run). */
export const FAKETIME = findOnPath('faketime');

/** Why the multi-instance suites cannot run here, or undefined when they can. */
function skipReason(): string | undefined {
  if (!REDIS_SERVER) return 'redis-server is not installed (looked on PATH and in /usr/bin, /usr/local/bin)';
  const url = process.env.DATABASE_URL;
  if (!url) return 'no DATABASE_URL — set it (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run on PostgreSQL';
  // describe() is synchronous, so probe the server from a child process.
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const { Client } = require('pg'); const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
       c.connect().then(() => c.end()).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); });`,
      url,
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 10_000 },
  );
  if (probe.status !== 0) return `PostgreSQL at DATABASE_URL is not reachable (${(probe.stderr || 'timeout').trim()})`;
  return undefined;
}

/** A single Redis server, or a three-master Redis Cluster: every cross-instance suite runs on both. */
export type RedisMode = 'single' | 'cluster';

/** SCALE_OUT_REDIS=single or =cluster runs one of the two only (default: both). */
function redisModes(): RedisMode[] {
  const only = process.env.SCALE_OUT_REDIS;
  return only === 'single' || only === 'cluster' ? [only] : ['single', 'cluster'];
}

/** The mode of the describe block running now (set by its first beforeAll, before the suite's own). */
let currentMode: RedisMode = 'single';

/**
 * `describe` once per Redis mode (single server, then cluster), or a skipped block that
 * says why (no PostgreSQL or no redis-server here). `Cluster.start` in the body picks the mode.
 */
export function describeScaleOut(name: string, body: () => void): void {
  const reason = skipReason();
  if (!reason) {
    for (const mode of redisModes()) {
      describe(`${name} [${mode} Redis]`, () => {
        beforeAll(() => {
          currentMode = mode;
        });
        body();
      });
    }
    return;
  }
  process.stdout.write(`${name}: skipped: ${reason}\n`);
  describe.skip(`${name} (skipped: ${reason})`, () => {
    it('needs PostgreSQL (DATABASE_URL) and redis-server', () => undefined);
  });
}

// ---- processes -------------------------------------------------------------------------

import { sleep, waitFor } from '../../support/wait-for';

export { sleep, waitFor };

/**
 * For a describe block: `on(instance)` is the typed test client of that instance (apps/api/testing),
 * and every socket opened through it is closed after each test.
 */
export function testClientsClosedAfterEach(): (instance: Instance) => TestClient {
  const opened = new OpenSockets();
  afterEach(() => opened.closeAll());
  return (instance) => testClient(instance, { track: opened });
}

/** What the suites do with their Redis, whichever the mode. */
export interface TestRedis {
  /** The instances' settings naming it (REDIS_URL or REDIS_CLUSTER_NODES). */
  readonly env: Record<string, string>;
  /** The port of every node (one for a single server). */
  readonly ports: number[];
  /** A client of the test's own (the caller quits it). */
  client(): Redis | RedisClusterClient;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /**
   * SIGKILL one node — the only server, or the cluster master serving the slot of `channelKey`
   * (a hash-tag key such as `room:chat:<id>`) — start it again empty `downMs` later, and wait until it serves.
   */
  restartOneNode(downMs: number, channelKey: string): Promise<void>;
  destroy(): Promise<void>;
}

/** The Redis of the describeScaleOut block running now: a single server or a three-master cluster. */
export function startTestRedis(): Promise<TestRedis> {
  return currentMode === 'cluster' ? ClusterRedis.start() : RedisServer.start();
}

/** A three-master Redis Cluster behind the TestRedis face. */
class ClusterRedis implements TestRedis {
  private constructor(private readonly server: RedisClusterServer) {}

  static async start(): Promise<ClusterRedis> {
    return new ClusterRedis(await RedisClusterServer.start(REDIS_SERVER!));
  }

  get env(): Record<string, string> {
    return { REDIS_CLUSTER_NODES: this.server.nodes };
  }

  get ports(): number[] {
    return this.server.ports;
  }

  client(): RedisClusterClient {
    return this.server.client();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  restart(): Promise<void> {
    return this.server.restart();
  }

  async restartOneNode(downMs: number, channelKey: string): Promise<void> {
    const client = this.server.client();
    try {
      const slot = Number(await client.cluster('KEYSLOT', channelKey));
      const ranges = await client.cluster('SLOTS');
      const owner = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!owner) throw new Error(`no master serves slot ${slot}`);
      await this.server.restartNode(owner[2][1], downMs);
    } finally {
      client.disconnect();
    }
  }

  destroy(): Promise<void> {
    return this.server.destroy();
  }
}

/** A redis-server of our own on a free port, without persistence, that the test can stop and restart. */
export class RedisServer implements TestRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get env(): Record<string, string> {
    return { REDIS_URL: this.url };
  }

  get ports(): number[] {
    return [this.port];
  }

  client(): Redis {
    return new Redis(this.url);
  }

  destroy(): Promise<void> {
    return this.stop();
  }

  async restart(): Promise<void> {
    if (this.child) throw new Error('redis-server is already running');
    this.child = (await startRedisProcess(REDIS_SERVER!, this.port)).child;
  }

  async restartOneNode(downMs: number): Promise<void> {
    await this.stop();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.restart();
  }

  /** SIGKILL: the connections drop as if the machine went away. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child) await killRedisProcess(child);
  }
}

export interface InstanceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One `node dist/apps/api/src/main.js` on its own port, optionally under a wrapper command
 * (e.g. `faketime -f -1s`). A wrapper may fork the server rather than exec it, so every
 * instance runs in a process group of its own and signals go to the whole group.
 */
export class Instance {
  readonly output: string[] = [];
  readonly exited: Promise<InstanceExit>;
  exit: InstanceExit | undefined;
  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    main: string,
    readonly port: number,
    env: Record<string, string>,
    wrapper: string[] = [],
  ) {
    const [command, ...args] = [...wrapper, process.execPath, main];
    this.child = spawn(command, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const collect = (chunk: Buffer) => this.output.push(...chunk.toString().split('\n').filter(Boolean));
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  async health(): Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> {
    const response = await fetch(`${this.httpUrl}/health`, { signal: AbortSignal.timeout(3000) });
    return { status: response.status, body: (await response.json()) as never };
  }

  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      `${this.name} to answer /health with 200`,
      async () => {
        if (this.exit) throw new Error(`${this.name} exited ${JSON.stringify(this.exit)}:\n${this.output.join('\n')}`);
        return (await this.health()).status === 200;
      },
      timeoutMs,
      100,
    );
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.running || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      this.child.kill(signal); // the group is gone already
    }
  }

  async stop(): Promise<InstanceExit> {
    if (!this.running) return this.exit!;
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), 10_000);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** Log lines that would mean a crash or an unhandled failure. */
  problems(): string[] {
    return this.output.filter((line) => /unhandled|uncaught|fatal|TypeError|ReferenceError/i.test(line));
  }

  logsMatching(pattern: RegExp): string[] {
    return this.output.filter((line) => pattern.test(line));
  }
}

/** N instances on one fresh PostgreSQL database and one Redis of our own. */
export class Cluster {
  readonly instances: Instance[] = [];
  private readonly proxies: Proxy[] = [];

  private constructor(
    readonly redis: TestRedis,
    readonly mode: RedisMode,
    readonly database: TestDatabase,
    readonly env: Record<string, string>,
    private readonly main: string,
    private readonly dataDir: string,
  ) {}

  static async start(count: number, env: Record<string, string> = {}): Promise<Cluster> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` (npm test does it first)`);
    const main = MAIN;
    const dataDir = mkdtempSync(join(tmpdir(), 'numerai-scale-out-'));
    const database = await createTestDatabase(dataDir);
    const mode = currentMode;
    const redis = mode === 'cluster' ? await ClusterRedis.start() : await RedisServer.start();
    const cluster = new Cluster(
      redis,
      mode,
      database,
      {
        ...database.env,
        ...redis.env,
        REDIS_KEY_PREFIX: `t${randomBytes(3).toString('hex')}`,
        JWT_SECRET: TEST_JWT_SECRET,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        AUTH_RATE_LIMIT_PER_MINUTE: '10000',
        ...env,
      },
      main,
      dataDir,
    );
    try {
      // The first one runs the migrations; the rest start together once the schema is there.
      await cluster.add();
      await Promise.all(Array.from({ length: count - 1 }, () => cluster.add()));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Starts one more instance; `wrapper` runs it under another command (e.g. faketime). */
  async add(wrapper: string[] = [], env: Record<string, string> = {}): Promise<Instance> {
    const port = await freePort();
    // Named and listed synchronously, so instances started together get distinct names.
    const name = String.fromCharCode(65 + this.instances.length);
    const instance = new Instance(name, this.main, port, { ...this.env, ...env }, wrapper);
    this.instances.push(instance);
    await instance.waitHealthy();
    return instance;
  }

  /**
   * One more instance whose every link to Redis goes through a TCP proxy of the test's own (one
   * per node; on a cluster the nodes' announced addresses are mapped to them), so the test can
   * cut that instance alone off from Redis: `partition('both')`, then `heal()`.
   */
  async addBehindRedisProxies(): Promise<{ instance: Instance; redisLinks: Proxy[] }> {
    const redisLinks: Proxy[] = [];
    for (const port of this.redis.ports) redisLinks.push(await Proxy.start(`redis:${port}`, await freePort(), port));
    this.proxies.push(...redisLinks);
    const at = (proxy: Proxy) => `127.0.0.1:${proxy.port}`;
    const env: Record<string, string> =
      this.mode === 'cluster'
        ? {
            REDIS_CLUSTER_NODES: redisLinks.map(at).join(','),
            REDIS_CLUSTER_NAT_MAP: redisLinks.map((proxy) => `127.0.0.1:${proxy.targetPort}=${at(proxy)}`).join(','),
          }
        : { REDIS_URL: `redis://${at(redisLinks[0])}` };
    return { instance: await this.add([], env), redisLinks };
  }

  /** A new user on `instance`, promoted to admin. */
  async createAdmin(instance: Instance): Promise<TestUser> {
    const user = await createUser(instance, { name: 'Admin' });
    await this.sql(`UPDATE users SET role = 'admin' WHERE id = $1`, [user.id]);
    return { ...user, role: 'admin' };
  }

  /** Runs SQL on the suite's database (e.g. to promote an admin). */
  async sql(query: string, params: unknown[] = []): Promise<void> {
    await this.rows(query, params);
  }

  /** Runs a query on the suite's database and returns its rows. */
  async rows<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.env.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query(query, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /**
   * What every suite's afterAll asserts, then `stop()`: no instance logged a crash or an
   * unhandled failure (read before they stop) and, with `noneDied`, none exited by itself.
   */
  async stopAndCheck(options: { noneDied?: boolean } = {}): Promise<void> {
    const problems = this.instances.flatMap((instance) => instance.problems());
    const exits = this.instances.map((instance) => instance.exit);
    await this.stop();
    if (options.noneDied) expect(exits).toEqual(exits.map(() => undefined));
    expect(problems).toEqual([]);
  }

  async stop(): Promise<void> {
    await Promise.all(this.instances.map((instance) => instance.stop()));
    await Promise.all(this.proxies.map((proxy) => proxy.close()));
    // SCALE_OUT_LOGS=<dir> keeps every instance's log for a look afterwards.
    const keep = process.env.SCALE_OUT_LOGS;
    if (keep) {
      mkdirSync(keep, { recursive: true });
      for (const instance of this.instances) {
        writeFileSync(
          join(keep, `${this.env.REDIS_KEY_PREFIX}-${instance.name}.log`),
          `${instance.output.join('\n')}\n`,
        );
      }
    }
    await this.redis.destroy();
    await this.database.drop().catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
