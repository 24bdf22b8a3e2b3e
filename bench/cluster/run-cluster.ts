/**
 * The scaled-out configuration (issue 14): NumerAI with 1, 2 and 4 instances on PostgreSQL +
 * Redis next to Socket.IO on as many instances with `@socket.io/redis-adapter` (classic and
 * sharded) and a storing Socket.IO baseline (one INSERT per message into a table of the shape of
 * `chat_messages`). Room fan-out and DMs at a fixed offered load (the same for every target),
 * a DM saturation search for stored messages/s, and a bystander run. Connections of every room
 * are spread over the instances, so every delivery crosses instances through Redis; CPU is the
 * sum over all instances (/proc/<pid>/stat, all threads).
 *
 * Runs only with DATABASE_URL and REDIS_URL on this machine: a fresh database (created and
 * dropped here) and a key prefix of its own (its keys deleted at the end).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuMicros } from '../lib/proc';
import type { RpcClient } from '../lib/rpc';
import { chatSpecs, openBenchDb, seedNumerai, syntheticRoster } from '../lib/seed';
import { freePort, ServerProcess, startServer, stopProcess } from '../lib/servers';
import { sleep } from '../lib/stats';
import {
  cleanupTasks,
  closeAll,
  DIST_BENCH,
  isLoopbackUrl,
  NUMERAI_MAIN,
  numeraiEnv,
  openAll,
  ROOT,
  StartContext,
  Target,
} from '../lib/targets';
import type { ConnSpec, RosterRoom, TrafficResult } from '../lib/types';
import { ClusterKind, ClusterPlan, runsFanout } from './plan';

export type ClusterScenario = 'fanout' | 'dm' | 'bystander';

export interface ClusterRun {
  kind: ClusterKind;
  instances: number;
  scenario: ClusterScenario;
  ok: boolean;
  reason?: string;
  metrics: Record<string, number>;
}

/** Why the cluster rows cannot run here, or undefined when they can. */
export function clusterSkipReason(): string | undefined {
  const { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl } = process.env;
  if (!databaseUrl || !redisUrl) {
    const missing = [databaseUrl ? '' : 'DATABASE_URL', redisUrl ? '' : 'REDIS_URL'].filter(Boolean).join(' and ');
    return `${missing} not set: the cluster needs PostgreSQL and Redis on this machine`;
  }
  if (!isLoopbackUrl(databaseUrl) || !isLoopbackUrl(redisUrl))
    return 'DATABASE_URL/REDIS_URL must point at this machine (127.0.0.1/localhost)';
  return undefined;
}

/** The shared fixture: one bench database seeded through NumerAI's REST API, one Redis prefix. */
interface Fixture {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  numeraiRoster: RosterRoom[];
  syntheticRoster: RosterRoom[];
  sioTable: string;
}

const SIO_TABLE = 'sio_chat_messages';

async function prepare(ctx: StartContext, plan: ClusterPlan, log: (message: string) => void): Promise<Fixture> {
  const { Client } = await import('pg');
  const databaseUrl = process.env.DATABASE_URL as string;
  const redisUrl = process.env.REDIS_URL as string;
  const dbName = `numerai_bench_${ctx.runId}_cluster`;
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const benchUrl = new URL(databaseUrl);
  benchUrl.pathname = `/${dbName}`;
  const query = async (url: string, sql: string) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await query(admin.toString(), `CREATE DATABASE ${dbName}`);
  cleanupTasks.push(() => query(admin.toString(), `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
  const prefix = `numerai-bench-${ctx.runId}-cluster`;
  cleanupTasks.push(() => deleteKeys(redisUrl, prefix));
  const fixture: Fixture = {
    databaseUrl: benchUrl.toString(),
    redisUrl,
    prefix,
    numeraiRoster: [],
    syntheticRoster: [],
    sioTable: SIO_TABLE,
  };
  // One instance migrates the fresh database and seeds it; every cluster run starts its own processes.
  log('cluster: migrating and seeding the bench database through one NumerAI instance …');
  const [seeder] = await startInstances(ctx, fixture, 'numerai', 1, 'seed');
  try {
    fixture.numeraiRoster = await seedNumerai(seeder.port, roomsNeeded(plan), `${ctx.runId}c`);
  } finally {
    await stopProcess(seeder.child, 10_000);
  }
  fixture.syntheticRoster = syntheticRoster(roomsNeeded(plan), ctx.secret);
  // The storing baseline's table: the columns and indexes of chat_messages (LIKE copies no foreign keys),
  // less `seq`: a typical app numbers nothing, and the NOT NULL column would refuse its every insert.
  await query(fixture.databaseUrl, `CREATE TABLE ${SIO_TABLE} (LIKE chat_messages INCLUDING ALL)`);
  await query(fixture.databaseUrl, `ALTER TABLE ${SIO_TABLE} DROP COLUMN seq`);
  return fixture;
}

function roomsNeeded(plan: ClusterPlan): number {
  return Math.max(plan.dm.pairs, plan.fanout.rooms);
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    // Hash-tagged keys (presence, the scheduler's queue) start with `{<prefix>`.
    for (const pattern of [`${prefix}*`, `{${prefix}*`]) {
      let cursor = '0';
      // Bounded by the keyspace: SCAN returns to cursor 0 once it has walked it.
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

async function startInstances(
  ctx: StartContext,
  fixture: Fixture,
  kind: ClusterKind,
  n: number,
  label: string,
): Promise<ServerProcess[]> {
  const ports = await Promise.all(Array.from({ length: n }, () => freePort()));
  const settled = await Promise.allSettled(
    ports.map((port, i) =>
      startServer({
        name: `${kind}#${i}`,
        args: [kind === 'numerai' ? NUMERAI_MAIN : join(DIST_BENCH, 'servers', 'socketio-server.js')],
        env: kind === 'numerai' ? numeraiClusterEnv(ctx, fixture, port) : socketIoClusterEnv(ctx, fixture, kind, port),
        port,
        logFile: join(ctx.workDir, `cluster-${label}-${kind}-${i}.log`),
        probe: join(DIST_BENCH, 'servers', 'probe.js'),
        cwd: ROOT,
      }),
    ),
  );
  const servers = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await stopInstances(servers);
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
  return servers;
}

function numeraiClusterEnv(ctx: StartContext, fixture: Fixture, port: number): NodeJS.ProcessEnv {
  return numeraiEnv({
    PORT: String(port),
    DATA_DIR: join(ctx.workDir, `cluster-data-${port}`),
    JWT_SECRET: ctx.secret,
    DATABASE_URL: fixture.databaseUrl,
    REDIS_URL: fixture.redisUrl,
    REDIS_KEY_PREFIX: fixture.prefix,
  });
}

function socketIoClusterEnv(ctx: StartContext, fixture: Fixture, kind: ClusterKind, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    JWT_SECRET: ctx.secret,
    SIO_REDIS_URL: fixture.redisUrl,
    SIO_ADAPTER: kind === 'socketio-sharded' ? 'sharded' : 'classic',
    SIO_REDIS_KEY: `${fixture.prefix}-sio`,
  };
  if (kind === 'socketio-storing') {
    env.SIO_STORE_DATABASE_URL = fixture.databaseUrl;
    env.SIO_STORE_TABLE = fixture.sioTable;
  }
  return env;
}

async function stopInstances(servers: ServerProcess[]): Promise<void> {
  await Promise.all(servers.map((server) => stopProcess(server.child, 10_000)));
}

/**
 * Opens `specs` with connection i of room r on instance (r + k) % instances, k being the
 * connection's index inside its room: every room (and every DM pair) spans the instances.
 */
async function openSpread(
  lg: RpcClient,
  target: Target,
  specs: ConnSpec[],
  rooms: number,
  ports: number[],
): Promise<void> {
  const byPort = ports.map(() => [] as ConnSpec[]);
  specs.forEach((spec, index) => {
    const room = index % rooms;
    const k = Math.floor(index / rooms);
    byPort[(room + k) % ports.length].push(spec);
  });
  for (let i = 0; i < ports.length; i++) {
    if (!byPort[i].length) continue;
    await openAll(lg, { ...target, endpoint: { ...target.endpoint, ports: [ports[i]] } }, byPort[i], 100);
  }
}

function asTarget(kind: ClusterKind, servers: ServerProcess[], roster: RosterRoom[]): Target {
  return {
    name: kind,
    endpoint: { name: kind, protocol: kind === 'numerai' ? 'ws' : 'socketio', ports: servers.map((s) => s.port) },
    servers,
    roster,
    available: true,
    notes: [],
  };
}

function traffic(lg: RpcClient, rate: number, durationMs: number, padding: number): Promise<TrafficResult> {
  return lg.call<TrafficResult>(
    'traffic',
    { rate, durationMs, drainMs: 8000, warmupFraction: 0.2, padding },
    durationMs + 40_000,
  );
}

/** A fixed offered load: latency at the receivers and the CPU of every instance during it. */
async function fixedRate(
  lg: RpcClient,
  servers: ServerProcess[],
  rate: number,
  durationMs: number,
  padding: number,
): Promise<{ result: TrafficResult; cpuUs: number[] }> {
  await sleep(300);
  const before = servers.map((server) => cpuMicros(server.pid));
  const result = await traffic(lg, rate, durationMs, padding);
  const cpuUs = servers.map((server, i) => cpuMicros(server.pid) - before[i]);
  return { result, cpuUs };
}

function latencyMetrics(result: TrafficResult, cpuUs: number[]): Record<string, number> {
  const total = cpuUs.reduce((sum, value) => sum + value, 0);
  return {
    offered_msgs_per_s: result.offeredMsgsPerS,
    sent: result.sent,
    deliveries: result.deliveries,
    delivered_fraction: result.expectedDeliveries ? result.deliveries / result.expectedDeliveries : 0,
    p50_ms: result.latencyMs.p50,
    p99_ms: result.latencyMs.p99,
    max_ms: result.latencyMs.max,
    cluster_cpu_us: total,
    cpu_us_per_delivery: result.deliveries ? total / result.deliveries : NaN,
    deliveries_per_cpu_s: total > 0 ? (result.deliveries * 1e6) / total : NaN,
    cpu_us_per_msg: result.sent ? total / result.sent : NaN,
    msgs_per_cpu_s: total > 0 ? (result.sent * 1e6) / total : NaN,
    loadgen_cpu: result.loadgenCpu,
  };
}

/** Open-loop DM saturation: raised until two steps in a row do not keep up; the best rate delivered to both sides. */
async function dmSaturation(
  lg: RpcClient,
  plan: ClusterPlan,
): Promise<{ best: TrafficResult; steps: TrafficResult[] }> {
  const steps: TrafficResult[] = [];
  let best: TrafficResult | undefined;
  let rate = plan.dm.startRate;
  let misses = 0;
  for (let i = 0; i < plan.dm.maxSteps && misses < 2; i++) {
    const result = await traffic(lg, rate, plan.dm.stepMs, plan.padding);
    steps.push(result);
    if (!best || result.msgsPerS > best.msgsPerS) best = result;
    const keepingUp =
      result.msgsPerS >= 0.9 * rate &&
      result.deliveries >= 0.99 * result.expectedDeliveries &&
      result.skipped === 0 &&
      result.latencyMs.p99 < 1000;
    misses = keepingUp ? 0 : misses + 1;
    rate *= plan.dm.factor;
  }
  if (!best) throw new Error('no DM step ran');
  return { best, steps };
}

async function countRows(fixture: Fixture, kind: ClusterKind): Promise<number | undefined> {
  const table = kind === 'numerai' ? 'chat_messages' : kind === 'socketio-storing' ? fixture.sioTable : undefined;
  if (!table) return undefined;
  const db = await openBenchDb('postgres', fixture.databaseUrl);
  try {
    return await db.count(table);
  } finally {
    await db.close();
  }
}

export interface ClusterHooks {
  lg: RpcClient;
  log: (message: string) => void;
}

/** Runs every cluster configuration of the plan; a configuration that fails is recorded, not fatal. */
export async function runCluster(ctx: StartContext, plan: ClusterPlan, hooks: ClusterHooks): Promise<ClusterRun[]> {
  const { lg, log } = hooks;
  const fixture = await prepare(ctx, plan, log);
  const runs: ClusterRun[] = [];
  const attempt = async (
    kind: ClusterKind,
    instances: number,
    scenario: ClusterScenario,
    body: () => Promise<Record<string, number>>,
    servers: () => ServerProcess[],
  ) => {
    log(`cluster: ${scenario} ${kind} on ${instances} instance(s) …`);
    try {
      runs.push({ kind, instances, scenario, ok: true, metrics: await body() });
    } catch (error) {
      const logged = lastErrorLines(servers());
      const reason = `${error instanceof Error ? error.message : String(error)}${logged ? ` — server log: ${logged}` : ''}`;
      runs.push({ kind, instances, scenario, ok: false, reason, metrics: {} });
      log(`cluster: ${scenario} ${kind} ×${instances}: failed (${reason})`);
    } finally {
      await closeAll(lg).catch(() => undefined);
    }
  };

  for (const n of plan.instanceCounts) {
    for (const kind of plan.kinds) {
      let servers: ServerProcess[] = [];
      try {
        servers = await startInstances(ctx, fixture, kind, n, `x${n}`);
      } catch (error) {
        const reason = `start failed: ${error instanceof Error ? error.message : String(error)}`;
        for (const scenario of ['fanout', 'dm'] as const)
          runs.push({ kind, instances: n, scenario, ok: false, reason, metrics: {} });
        log(`cluster: ${kind} ×${n}: ${reason}`);
        continue;
      }
      const roster = kind === 'numerai' ? fixture.numeraiRoster : fixture.syntheticRoster;
      const target = asTarget(kind, servers, roster);
      const ports = target.endpoint.ports;
      try {
        if (runsFanout(kind)) {
          await attempt(
            kind,
            n,
            'fanout',
            async () => {
              const { rooms, perRoom, rate, durationMs } = plan.fanout;
              await openSpread(lg, target, chatSpecs(roster, rooms, perRoom), rooms, ports);
              const { result, cpuUs } = await fixedRate(lg, servers, rate, durationMs, plan.padding);
              return latencyMetrics(result, cpuUs);
            },
            () => servers,
          );
        }
        await attempt(
          kind,
          n,
          'dm',
          async () => {
            await openSpread(lg, target, chatSpecs(roster, plan.dm.pairs, 2), plan.dm.pairs, ports);
            // Latency first, on a server with no backlog; then the saturation search on the same connections.
            const { result, cpuUs } = await fixedRate(lg, servers, plan.dm.rate, plan.dm.durationMs, plan.padding);
            const rowsBefore = await countRows(fixture, kind);
            const { best, steps } = await dmSaturation(lg, plan);
            const rowsAfter = await countRows(fixture, kind);
            const sent = steps.reduce((sum, step) => sum + step.sent, 0);
            const metrics: Record<string, number> = {
              ...latencyMetrics(result, cpuUs),
              saturation_msgs_per_s: best.msgsPerS,
              saturation_p99_ms: best.latencyMs.p99,
              saturation_steps: steps.length,
            };
            if (rowsBefore !== undefined && rowsAfter !== undefined) {
              metrics.persisted_rows = rowsAfter - rowsBefore;
              metrics.persisted_fraction = sent ? (rowsAfter - rowsBefore) / sent : 0;
              // Stored messages/s: the saturation rate, counted only if every message of the search was stored.
              metrics.stored_msgs_per_s = best.msgsPerS * Math.min(1, metrics.persisted_fraction);
            }
            return metrics;
          },
          () => servers,
        );
      } finally {
        await stopInstances(servers);
      }
    }
  }

  // Bystanders: the busy rooms live on the first half of the instances; the others hold none of them.
  const total = plan.bystanderInstances;
  const busy = Math.max(1, Math.floor(total / 2));
  for (const kind of total > 0 ? plan.kinds.filter(runsFanout) : []) {
    let servers: ServerProcess[] = [];
    await attempt(
      kind,
      total,
      'bystander',
      async () => {
        servers = await startInstances(ctx, fixture, kind, total, `bystander`);
        try {
          const roster = kind === 'numerai' ? fixture.numeraiRoster : fixture.syntheticRoster;
          const target = asTarget(kind, servers, roster);
          const { rooms, perRoom, rate, durationMs } = plan.fanout;
          await openSpread(lg, target, chatSpecs(roster, rooms, perRoom), rooms, target.endpoint.ports.slice(0, busy));
          const { result, cpuUs } = await fixedRate(lg, servers, rate, durationMs, plan.padding);
          const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
          const busyCpu = mean(cpuUs.slice(0, busy));
          const bystanderCpu = mean(cpuUs.slice(busy));
          return {
            ...latencyMetrics(result, cpuUs),
            busy_instances: busy,
            bystander_instances: total - busy,
            busy_cpu_us_mean: busyCpu,
            bystander_cpu_us_mean: bystanderCpu,
            bystander_fraction: busyCpu > 0 ? bystanderCpu / busyCpu : NaN,
          };
        } finally {
          await closeAll(lg).catch(() => undefined);
          await stopInstances(servers);
        }
      },
      () => servers,
    );
  }
  return runs;
}

/**
 * The last error-looking line of each instance's log, so that a failed run says why in the
 * results (the work dir with the logs is removed after a run that otherwise succeeded).
 */
function lastErrorLines(servers: ServerProcess[]): string {
  const lines = servers.flatMap((server) => {
    try {
      const found = readFileSync(server.logFile, 'utf8')
        .split('\n')
        .filter((line) => /error|fail|too many/i.test(line))
        .slice(-1);
      return found.map((line) => `${server.name}: ${line.slice(0, 300)}`);
    } catch {
      return [];
    }
  });
  return [...new Set(lines)].slice(0, 4).join(' | ');
}
