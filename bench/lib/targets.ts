/**
 * The three kinds of target the benchmark drives — NumerAI (embedded default or scaled out) and
 * the two baselines — how they are built, started and seeded, and the measurements every
 * scenario shares (server CPU from /proc, memory from the preloaded probe).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { cpuMicrosAll } from './proc';
import type { RpcClient } from './rpc';
import { BenchDb, openBenchDb, seedNumerai, syntheticRoster } from './seed';
import { freePort, memoryOf, restartServer, ServerProcess, startServer } from './servers';
import { sleep } from './stats';
import type { ConnectResult, ConnSpec, MemorySample, RosterRoom, TargetEndpoint } from './types';

export const ROOT = resolve(__dirname, '..', '..');
export const DIST_BENCH = join(ROOT, 'dist', 'bench');
export const NUMERAI_MAIN = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');

export interface Target {
  name: string;
  endpoint: TargetEndpoint;
  servers: ServerProcess[];
  roster: RosterRoom[];
  available: boolean;
  reason?: string;
  /** NumerAI only: where its bench database is, for persisted-row checks and bench-only setup. */
  db?: { kind: 'sqlite' | 'postgres'; location: string };
  /** NumerAI only: the bench-only admin token for the notification burst hook. */
  adminToken?: string;
  notes: string[];
}

export class Unavailable extends Error {}

export const cleanupTasks: Array<() => Promise<void>> = [];
/** Where bench messages go (the orchestrator routes them above its progress bar). */
let logSink: (message: string) => void = (message) => process.stderr.write(`${message}\n`);
export function setLogSink(sink: (message: string) => void): void {
  logSink = sink;
}
function log(message: string): void {
  logSink(message);
}

/** Compiles bench/**.ts to dist/bench/**.js (plain CommonJS) so that every child runs on plain `node`. */
export function compileBench(): void {
  const benchDir = join(ROOT, 'bench');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'results' ? [] : walk(path);
      return entry.name.endsWith('.ts') ? [path] : [];
    });
  for (const file of walk(benchDir)) {
    const out = join(DIST_BENCH, relative(benchDir, file)).replace(/\.ts$/, '.js');
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
}

/** `npm run build` when dist is missing or older than the sources; an error message when it fails. */
export function ensureNumeraiBuild(opts: { build: boolean }, logFile: string): string | undefined {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        return ['node_modules', 'dist', 'client', 'react'].includes(entry.name) ? max : Math.max(max, newest(path));
      }
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')
        ? Math.max(max, statSync(path).mtimeMs)
        : max;
    }, 0);
  let built = 0;
  try {
    built = statSync(NUMERAI_MAIN).mtimeMs;
  } catch {
    built = 0;
  }
  if (!opts.build) return built ? undefined : `no build at ${relative(ROOT, NUMERAI_MAIN)} (run npm run build)`;
  if (built && built >= Math.max(newest(join(ROOT, 'apps')), newest(join(ROOT, 'libs')))) return undefined;
  log(built ? 'numerai: sources changed since the last build, running npm run build …' : 'numerai: building …');
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  writeFileSync(logFile, `${result.stdout ?? ''}\n${result.stderr ?? ''}`);
  if (result.status !== 0) {
    const lines = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim().split('\n');
    const firstError = lines.find((line) => /error/i.test(line)) ?? lines.slice(-1)[0];
    return `npm run build failed: ${firstError?.trim() ?? result.error?.message ?? 'unknown'} (log: ${logFile})`;
  }
  return undefined;
}

export function numeraiEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The embedded default: never pick up the caller's database, Redis or port by accident.
  for (const key of [
    'DATABASE_URL',
    'REDIS_URL',
    'SQLITE_PATH',
    'PORT',
    'DATA_DIR',
    'JWT_SECRET',
    'REDIS_KEY_PREFIX',
  ]) {
    delete env[key];
  }
  return {
    ...env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    JWT_EXPIRES_IN: '12h',
    // Limits that would throttle the load generator itself, set out of reach for the benchmark.
    RATE_LIMIT_PER_MINUTE: '1000000000',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000000',
    WS_MAX_CONNECTIONS_PER_USER: '1000000',
    WS_UPGRADES_PER_MINUTE_PER_IP: '1000000000',
    // Every simulated client connects from the one load-generator address.
    MAX_CONNECTIONS_PER_IP: '0',
    ...extra,
  };
}

export interface StartContext {
  workDir: string;
  secret: string;
  runId: string;
  opts: { build: boolean };
}

export function isLoopbackUrl(raw: string): boolean {
  try {
    const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

export async function startNumerai(ctx: StartContext, roomsNeeded: number): Promise<Target> {
  const target: Target = {
    name: 'numerai',
    endpoint: { name: 'numerai', protocol: 'ws', ports: [] },
    servers: [],
    roster: [],
    available: false,
    notes: [],
  };
  const buildError = ensureNumeraiBuild(ctx.opts, join(ctx.workDir, 'build.log'));
  if (buildError) {
    target.reason = buildError;
    return target;
  }
  const dataDir = join(ctx.workDir, 'numerai-data');
  const port = await freePort();
  try {
    const server = await startServer({
      name: 'numerai',
      args: [NUMERAI_MAIN],
      env: numeraiEnv({ PORT: String(port), DATA_DIR: dataDir, JWT_SECRET: ctx.secret }),
      port,
      logFile: join(ctx.workDir, 'numerai.log'),
      probe: join(DIST_BENCH, 'servers', 'probe.js'),
      cwd: ROOT,
    });
    target.servers.push(server);
    target.endpoint.ports.push(port);
    target.db = { kind: 'sqlite', location: dataDir };
    target.roster = await seedNumerai(port, roomsNeeded, ctx.runId);
    target.available = true;
  } catch (error) {
    target.reason = `start/seed failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  return target;
}

/**
 * HOOK — the scaled-out configuration. With DATABASE_URL (PostgreSQL) and REDIS_URL set, two
 * NumerAI instances share a fresh bench database and Redis, and every scenario spreads its
 * connections over both (so room fan-out crosses instances through Redis). DATABASE_URL alone
 * measures one instance on PostgreSQL. Both URLs must point at this machine.
 */
export async function startScaledOut(ctx: StartContext, roomsNeeded: number): Promise<Target | undefined> {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl && !redisUrl) return undefined;
  const instances = databaseUrl && redisUrl ? 2 : 1;
  const name = instances > 1 ? 'numerai-scaled' : 'numerai-pg';
  const target: Target = {
    name,
    endpoint: { name, protocol: 'ws', ports: [] },
    servers: [],
    roster: [],
    available: false,
    notes: [],
  };
  if (!databaseUrl) {
    target.reason = 'REDIS_URL without DATABASE_URL: instances cannot share the embedded SQLite database';
    return target;
  }
  if (!isLoopbackUrl(databaseUrl) || (redisUrl && !isLoopbackUrl(redisUrl))) {
    target.reason =
      'DATABASE_URL/REDIS_URL must point at this machine (127.0.0.1/localhost): the benchmark sends no traffic elsewhere';
    return target;
  }
  const { Client } = await import('pg');
  const dbName = `numerai_bench_${ctx.runId}`;
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const benchUrl = new URL(databaseUrl);
  benchUrl.pathname = `/${dbName}`;
  const adminQuery = async (sql: string) => {
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  try {
    await adminQuery(`CREATE DATABASE ${dbName}`);
    cleanupTasks.push(() => adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
    for (let i = 0; i < instances; i++) {
      const port = await freePort();
      const extra: Record<string, string> = {
        PORT: String(port),
        DATA_DIR: join(ctx.workDir, `${name}-${i}`),
        JWT_SECRET: ctx.secret,
        DATABASE_URL: benchUrl.toString(),
      };
      if (redisUrl) {
        extra.REDIS_URL = redisUrl;
        extra.REDIS_KEY_PREFIX = `numerai-bench-${ctx.runId}`;
      }
      const server = await startServer({
        name: `${name}#${i}`,
        args: [NUMERAI_MAIN],
        env: numeraiEnv(extra),
        port,
        logFile: join(ctx.workDir, `${name}-${i}.log`),
        probe: join(DIST_BENCH, 'servers', 'probe.js'),
        cwd: ROOT,
      });
      target.servers.push(server);
      target.endpoint.ports.push(port);
    }
    target.db = { kind: 'postgres', location: benchUrl.toString() };
    target.roster = await seedNumerai(target.endpoint.ports[0], roomsNeeded, `${ctx.runId}s`);
    target.available = true;
  } catch (error) {
    target.reason = `scaled-out start failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  return target;
}

export async function startBaseline(ctx: StartContext, name: 'ws' | 'socketio', roomsNeeded: number): Promise<Target> {
  const port = await freePort();
  const script = name === 'ws' ? 'raw-ws-server.js' : 'socketio-server.js';
  const target: Target = {
    name,
    endpoint: { name, protocol: name === 'ws' ? 'ws' : 'socketio', ports: [port] },
    servers: [],
    roster: syntheticRoster(roomsNeeded, ctx.secret),
    available: false,
    notes: [],
  };
  try {
    target.servers.push(
      await startServer({
        name,
        args: [join(DIST_BENCH, 'servers', script)],
        env: { ...process.env, NODE_ENV: 'production', PORT: String(port), JWT_SECRET: ctx.secret },
        port,
        logFile: join(ctx.workDir, `${name}.log`),
        probe: join(DIST_BENCH, 'servers', 'probe.js'),
        cwd: ROOT,
      }),
    );
    target.available = true;
  } catch (error) {
    target.reason = error instanceof Error ? error.message : String(error);
  }
  return target;
}

// ---------------------------------------------------------------------------------------------
// Measurements

/**
 * Fresh server processes (same port, same data): memory freed by earlier scenarios or by seeding
 * (argon2 hashing) stays resident, and a new connection reusing it would look free in RSS.
 */
export async function restartTarget(target: Target): Promise<void> {
  for (let i = 0; i < target.servers.length; i++) target.servers[i] = await restartServer(target.servers[i]);
}

export function cpuOf(target: Target): number {
  return cpuMicrosAll(target.servers.map((server) => server.pid));
}

export async function memoryOfTarget(target: Target): Promise<MemorySample> {
  const samples = await Promise.all(target.servers.map((server) => memoryOf(server)));
  return samples.reduce((sum, sample) => ({
    rss: sum.rss + sample.rss,
    heapUsed: sum.heapUsed + sample.heapUsed,
    heapTotal: sum.heapTotal + sample.heapTotal,
    external: sum.external + sample.external,
    arrayBuffers: sum.arrayBuffers + sample.arrayBuffers,
  }));
}

function connectFailure(result: ConnectResult): string {
  const [reason, count] = Object.entries(result.errors).sort((a, b) => b[1] - a[1])[0] ?? ['unknown', result.failed];
  return `${result.opened}/${result.requested} connections opened; ${reason} ×${count}`;
}

export async function openAll(
  lg: RpcClient,
  target: Target,
  specs: ConnSpec[],
  concurrency: number,
  path: 'chat' | 'notifications' = 'chat',
): Promise<ConnectResult> {
  const result = await lg.call<ConnectResult>(
    'connect',
    { target: target.endpoint, path, specs, concurrency, timeoutMs: 20_000 },
    Math.max(60_000, specs.length * 20),
  );
  if (result.opened < result.requested) {
    await closeAll(lg);
    throw new Unavailable(connectFailure(result));
  }
  return result;
}

export async function closeAll(lg: RpcClient): Promise<void> {
  await lg.call('closeAll', { timeoutMs: 10_000 }, 30_000);
  await sleep(300);
}

export async function countMessages(target: Target): Promise<number | undefined> {
  if (!target.db) return undefined;
  let db: BenchDb | undefined;
  try {
    db = await openBenchDb(target.db.kind, target.db.location);
    return await db.count('chat_messages');
  } catch {
    return undefined;
  } finally {
    await db?.close();
  }
}
