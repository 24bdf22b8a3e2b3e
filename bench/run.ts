/**
 * `npm run bench` — NumerAI's real-time backend side by side with raw `ws` and Socket.IO.
 *
 * Starts the three servers (each its own child process, own process group), seeds NumerAI
 * through its REST API, forks the load generator (bench/load/loadgen.ts, a separate process),
 * runs every scenario against every target alternately, and writes bench/results/<date>.json and
 * .md. Every scenario is bounded in time, all traffic goes to 127.0.0.1, and every child is killed
 * at the end, on error and on Ctrl-C. See bench/README.md for what each number means.
 *
 *   npm run bench                 full run (3 repetitions, 10,000 idle connections)
 *   npm run bench -- --quick      ~1 minute smoke run (CI)
 *   options: --repeats N  --idle N  --targets numerai,ws,socketio  --scenarios idle,fanout,dm,notify,cluster
 *            --profile (CPU-profile the NumerAI child)  --no-build  --strict  --time-limit MIN
 *            --dm-rate N (DM latency/CPU phase at N msg/s for every target: comparable runs of one target)
 *            --cluster-instances 1,2,4  --cluster-kinds numerai,socketio-storing,…  --no-bystander
 *            (a subset of the cluster rows, for before/after pairs of one row)
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { clusterKinds, type ClusterOverrides, clusterPlan } from './cluster/plan';
import { clusterChecks, clusterMarkdown } from './cluster/report';
import { clusterSkipReason, ClusterRun, runCluster } from './cluster/run-cluster';
import { topFunctions, HotFunction } from './lib/cpuprofile';
import { Progress } from './lib/progress';
import {
  checkTargets,
  computeRatios,
  emptyResults,
  markdownTable,
  record,
  RunRecord,
  ScenarioName,
  ScenarioResults,
  skip,
  summarize,
} from './lib/report';
import type { RpcClient } from './lib/rpc';
import { chatSpecs, httpJson, HttpReply, mintToken, openBenchDb } from './lib/seed';
import { killAllNow, startWorker, stopAll } from './lib/servers';
import { fmtNumber, sleep } from './lib/stats';
import {
  cleanupTasks,
  closeAll,
  compileBench,
  countMessages,
  cpuOf,
  DIST_BENCH,
  memoryOfTarget,
  openAll,
  restartTarget,
  ROOT,
  setLogSink,
  startBaseline,
  startNumerai,
  startScaledOut,
  StartContext,
  Target,
  Unavailable,
} from './lib/targets';
import type { NotificationWaitResult, TrafficResult } from './lib/types';

// ---------------------------------------------------------------------------------------------
// Options and plan

interface Options {
  quick: boolean;
  repeats: number;
  targets: string[];
  scenarios: Set<string>;
  idleConnections: number;
  profile: boolean;
  build: boolean;
  strict: boolean;
  timeLimitMin: number;
  outDir: string;
  /** Fixed offered rate of the DM latency/CPU phase; 0: min(latencyCap, 50 % of raw ws's saturation). */
  dmRate: number;
  /** A subset of the cluster plan (instance counts, kinds, no bystander run); empty: the whole plan. */
  cluster: ClusterOverrides;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    quick: false,
    repeats: 0,
    targets: ['numerai', 'ws', 'socketio'],
    scenarios: new Set(['idle', 'fanout', 'dm', 'notify', 'cluster']),
    idleConnections: 0,
    profile: false,
    build: true,
    strict: false,
    timeLimitMin: 0,
    outDir: join(ROOT, 'bench', 'results'),
    dmRate: 0,
    cluster: {},
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--quick') opts.quick = true;
    else if (arg === '--repeats') opts.repeats = positive(arg, value());
    else if (arg === '--idle') opts.idleConnections = positive(arg, value());
    else if (arg === '--targets') opts.targets = value().split(',').filter(Boolean);
    else if (arg === '--scenarios') opts.scenarios = new Set(value().split(',').filter(Boolean));
    else if (arg === '--profile') opts.profile = true;
    else if (arg === '--no-build') opts.build = false;
    else if (arg === '--strict') opts.strict = true;
    else if (arg === '--time-limit') opts.timeLimitMin = positive(arg, value());
    else if (arg === '--out') opts.outDir = resolve(value());
    else if (arg === '--dm-rate') opts.dmRate = positive(arg, value());
    else if (arg === '--cluster-instances')
      opts.cluster.instanceCounts = value()
        .split(',')
        .map((n) => positive(arg, n));
    else if (arg === '--cluster-kinds') opts.cluster.kinds = clusterKinds(value());
    else if (arg === '--no-bystander') opts.cluster.bystander = false;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        readFileSync(__filename, 'utf8')
          .split('*/')[0]
          .replace(/^\/\*\*?|^ \* ?/gm, ''),
      );
      process.exit(0);
    } else throw new Error(`unknown option ${arg} (try --help)`);
  }
  for (const target of opts.targets) {
    if (!['numerai', 'ws', 'socketio'].includes(target)) throw new Error(`unknown target ${target}`);
  }
  for (const scenario of opts.scenarios) {
    if (!['idle', 'fanout', 'dm', 'notify', 'cluster'].includes(scenario))
      throw new Error(`unknown scenario ${scenario}`);
  }
  opts.repeats ||= opts.quick ? 1 : 3;
  opts.idleConnections ||= opts.quick ? 2000 : 10_000;
  // Each server and the load generator hold one descriptor per connection: stay under the limit.
  const fdLimit = Number(spawnSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
  if (Number.isFinite(fdLimit) && fdLimit > 0 && opts.idleConnections > fdLimit - 1000) {
    const capped = Math.max(100, fdLimit - 1000);
    process.stderr.write(`bench: open-file limit ${fdLimit}: idle connections lowered to ${capped}\n`);
    opts.idleConnections = capped;
  }
  opts.timeLimitMin ||= opts.quick ? 8 : 60;
  return opts;
}

function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number`);
  return value;
}

/** Sizes and pacing; --quick scales everything down to about a minute. */
function makePlan(opts: Options) {
  const perRoom = 50;
  return {
    padding: 64,
    idle: {
      connections: opts.idleConnections,
      perRoom,
      rooms: Math.ceil(opts.idleConnections / perRoom),
      concurrency: 256,
      settleMs: opts.quick ? 700 : 3000,
    },
    fanout: {
      rooms: 20,
      perRoom,
      startRate: opts.quick ? 200 : 100,
      factor: opts.quick ? 2 : 1.5,
      stepMs: opts.quick ? 600 : 2000,
      maxSteps: 14,
      latencyMs: opts.quick ? 1000 : 5000,
    },
    dm: {
      pairs: opts.quick ? 50 : 200,
      startRate: opts.quick ? 1000 : 500,
      factor: opts.quick ? 2 : 1.5,
      stepMs: opts.quick ? 600 : 2000,
      maxSteps: 14,
      latencyMs: opts.quick ? 1000 : 5000,
      latencyCap: 5000,
    },
    notify: { users: opts.quick ? 2000 : 10_000 },
  };
}
type Plan = ReturnType<typeof makePlan>;

// ---------------------------------------------------------------------------------------------
// Targets

/**
 * Idle connections and the connect storm share one pass: N connections opened as fast as allowed
 * (in two halves), then held. Memory per connection is the *marginal* cost between N/2 and N held
 * connections: the first half soaks up whatever the process had freed but kept resident (start-up
 * garbage, malloc free lists), which would otherwise make a big process look cheaper per connection
 * than a small one. The delta over the idle baseline is kept in the JSON too.
 */
async function idleAndStorm(
  lg: RpcClient,
  target: Target,
  plan: Plan,
): Promise<{ storm: RunRecord['metrics']; idle: RunRecord['metrics'] }> {
  // Warm-up: the code paths of connect/close are compiled before the baseline sample.
  await openAll(lg, target, chatSpecs(target.roster, Math.min(20, plan.idle.rooms), 10), 50);
  await closeAll(lg);
  await sleep(500);
  const baseline = await memoryOfTarget(target);
  const specs = chatSpecs(target.roster, plan.idle.rooms, plan.idle.perRoom).slice(0, plan.idle.connections);
  const halfway = Math.floor(specs.length / 2);
  try {
    const cpu0 = cpuOf(target);
    const first = await openAll(lg, target, specs.slice(0, halfway), plan.idle.concurrency);
    const cpu1 = cpuOf(target);
    await sleep(plan.idle.settleMs);
    const half = await memoryOfTarget(target);
    const cpu2 = cpuOf(target);
    const second = await openAll(lg, target, specs.slice(halfway), plan.idle.concurrency);
    const cpu3 = cpuOf(target);
    await sleep(plan.idle.settleMs);
    const full = await memoryOfTarget(target);
    const n = first.opened + second.opened;
    const marginal = second.opened;
    const elapsedMs = first.elapsedMs + second.elapsedMs;
    return {
      storm: {
        connections_per_s: (n * 1000) / elapsedMs,
        connections: n,
        cpu_us_per_connection: (cpu1 - cpu0 + (cpu3 - cpu2)) / n,
        loadgen_cpu_us_per_connection: (first.loadgenCpuUs + second.loadgenCpuUs) / n,
        elapsed_ms: elapsedMs,
      },
      idle: {
        connections: n,
        rss_per_conn_bytes: (full.rss - half.rss) / marginal,
        heap_per_conn_bytes: (full.heapUsed - half.heapUsed) / marginal,
        external_per_conn_bytes: (full.external - half.external) / marginal,
        rss_per_conn_from_baseline_bytes: (full.rss - baseline.rss) / n,
        heap_per_conn_from_baseline_bytes: (full.heapUsed - baseline.heapUsed) / n,
        rss_baseline_bytes: baseline.rss,
        rss_half_bytes: half.rss,
        rss_loaded_bytes: full.rss,
      },
    };
  } finally {
    await closeAll(lg);
    await sleep(500);
  }
}

interface TrafficConfig {
  rooms: number;
  perRoom: number;
  startRate: number;
  factor: number;
  stepMs: number;
  maxSteps: number;
  latencyMs: number;
}

interface Saturation {
  best: TrafficResult;
  steps: Array<TrafficResult & { serverCpuUs: number }>;
  persistedRows?: number;
}

/**
 * Open-loop saturation search: the offered rate is raised step by step until the target stops
 * keeping up (two misses in a row); the best delivered rate is its saturation.
 */
async function saturationPhase(
  lg: RpcClient,
  target: Target,
  config: TrafficConfig,
  padding: number,
  startRate: number,
  label: (text: string) => void,
): Promise<Saturation> {
  await openAll(lg, target, chatSpecs(target.roster, config.rooms, config.perRoom), 100);
  try {
    const rowsBefore = await countMessages(target);
    const steps: Saturation['steps'] = [];
    let best: TrafficResult | undefined;
    let rate = startRate;
    let misses = 0;
    for (let i = 0; i < config.maxSteps; i++) {
      label(`saturation step ${i + 1}: ${fmtNumber(rate)} msg/s`);
      const cpu0 = cpuOf(target);
      const result = await lg.call<TrafficResult>(
        'traffic',
        { rate, durationMs: config.stepMs, drainMs: 5000, warmupFraction: 0.2, padding },
        config.stepMs + 30_000,
      );
      steps.push({ ...result, serverCpuUs: cpuOf(target) - cpu0 });
      if (!best || result.deliveriesPerS > best.deliveriesPerS) best = result;
      const keepingUp =
        result.deliveriesPerS >= 0.9 * rate * config.perRoom &&
        result.deliveries >= 0.99 * result.expectedDeliveries &&
        result.skipped === 0 &&
        result.closedDuringRun === 0 &&
        result.latencyMs.p99 < 1000;
      // One bad step on a shared machine is not saturation: stop after two in a row.
      misses = keepingUp ? 0 : misses + 1;
      if (misses >= 2) break;
      rate *= config.factor;
    }
    if (!best || best.deliveries === 0) {
      const errors = Object.entries(steps[0]?.errorFrames ?? {}).map(([code, n]) => `${code} ×${n}`);
      throw new Unavailable(`no chat_message delivered${errors.length ? ` (error frames: ${errors.join(', ')})` : ''}`);
    }
    const rowsAfter = await countMessages(target);
    const persistedRows = rowsBefore !== undefined && rowsAfter !== undefined ? rowsAfter - rowsBefore : undefined;
    return { best, steps, persistedRows };
  } finally {
    await closeAll(lg);
    await sleep(700);
  }
}

/** A fixed offered rate, the same for every target of a repetition: latency at the receivers and server CPU. */
async function latencyPhase(
  lg: RpcClient,
  target: Target,
  config: TrafficConfig,
  padding: number,
  rate: number,
  saturation: Saturation,
): Promise<{ metrics: RunRecord['metrics']; detail: unknown }> {
  await openAll(lg, target, chatSpecs(target.roster, config.rooms, config.perRoom), 100);
  try {
    const rowsBefore = await countMessages(target);
    await sleep(300);
    const cpu0 = cpuOf(target);
    const fixed = await lg.call<TrafficResult>(
      'traffic',
      { rate, durationMs: config.latencyMs, drainMs: 10_000, warmupFraction: 0.1, padding },
      config.latencyMs + 40_000,
    );
    const cpuUs = cpuOf(target) - cpu0;
    const rowsAfter = await countMessages(target);
    const { best, steps } = saturation;
    const metrics: RunRecord['metrics'] = {
      saturation_deliveries_per_s: best.deliveriesPerS,
      saturation_msgs_per_s: best.msgsPerS,
      saturation_p99_ms: best.latencyMs.p99,
      loadgen_cpu_at_saturation: best.loadgenCpu,
      offered_msgs_per_s: rate,
      p50_ms: fixed.latencyMs.p50,
      p90_ms: fixed.latencyMs.p90,
      p99_ms: fixed.latencyMs.p99,
      max_ms: fixed.latencyMs.max,
      delivered_fraction: fixed.expectedDeliveries ? fixed.deliveries / fixed.expectedDeliveries : 0,
      cpu_us_per_delivery: fixed.deliveries ? cpuUs / fixed.deliveries : NaN,
      cpu_us_per_msg: fixed.sent ? cpuUs / fixed.sent : NaN,
      // What one dedicated core would sustain: robust where wall-clock rates are not (a shared machine).
      deliveries_per_cpu_s: cpuUs > 0 ? (fixed.deliveries * 1e6) / cpuUs : NaN,
      msgs_per_cpu_s: cpuUs > 0 ? (fixed.sent * 1e6) / cpuUs : NaN,
    };
    if (rowsBefore !== undefined && rowsAfter !== undefined && saturation.persistedRows !== undefined) {
      const sentTotal = steps.reduce((sum, step) => sum + step.sent, 0) + fixed.sent;
      metrics.persisted_rows = saturation.persistedRows + (rowsAfter - rowsBefore);
      metrics.persisted_fraction = sentTotal ? metrics.persisted_rows / sentTotal : 0;
    }
    return { metrics, detail: { steps, fixed } };
  } finally {
    await closeAll(lg);
    await sleep(700);
  }
}

/**
 * HOOK — triggerNotificationBurst. The realtime engineer adds a bench/admin endpoint that calls
 * notify() for many users at once; until it exists the scenario is skipped. Contract assumed here
 * (change it here when the real endpoint lands; BENCH_NOTIFY_BURST_PATH overrides the path):
 *   POST <path>  Authorization: Bearer <admin token>
 *   {"user_ids": [...], "title": "...", "message": "...", "notification_type": "system"}
 *   → 2xx once the notifications are stored (delivery may still be in flight).
 * A few concurrent requests of 2,000 ids each (as in earlier runs, so results compare); one REST call per user
 * (POST /api/admin/notifications) would not be a burst.
 */
export const NOTIFY_BURST_PATH = process.env.BENCH_NOTIFY_BURST_PATH ?? '/api/admin/notifications/broadcast';

export async function triggerNotificationBurst(
  port: number,
  adminToken: string,
  userIds: string[],
): Promise<HttpReply> {
  // The broadcast route's body limit (BROADCAST_BODY_LIMIT_BYTES, 1 MB) holds the DTO's 10,000 ids (~400 KB),
  // but the burst goes out as concurrent requests of BURST_IDS_PER_REQUEST, as it always has, so runs compare.
  const chunks: string[][] = [];
  for (let i = 0; i < userIds.length; i += BURST_IDS_PER_REQUEST)
    chunks.push(userIds.slice(i, i + BURST_IDS_PER_REQUEST));
  const replies = await Promise.all(
    chunks.map((chunk) =>
      httpJson(port, 'POST', NOTIFY_BURST_PATH, {
        token: adminToken,
        timeoutMs: 120_000,
        body: {
          user_ids: chunk,
          title: 'Bench burst',
          message: 'One notification to every connected user',
          notification_type: 'system',
        },
      }),
    ),
  );
  return replies.find((reply) => reply.status >= 300) ?? replies[0];
}

/** Ids per broadcast request: 2,000 UUIDs are ~80 kB of JSON (the route takes up to 1 MB, 10,000 ids). */
export const BURST_IDS_PER_REQUEST = Number(process.env.BENCH_BURST_IDS_PER_REQUEST) || 2000;

/** Whether the burst endpoint exists at all (an unmatched route answers 404 before any guard runs). */
async function burstEndpointExists(port: number): Promise<boolean> {
  const reply = await httpJson(port, 'POST', NOTIFY_BURST_PATH, { body: {} });
  return reply.status !== 404;
}

interface BurstFixture {
  users: Array<{ id: string; name: string; token: string }>;
  adminToken: string;
}

async function prepareBurst(target: Target, ctx: StartContext, users: number): Promise<BurstFixture> {
  if (!target.db) throw new Unavailable('no bench database');
  const port = target.endpoint.ports[0];
  const reply = await httpJson(port, 'POST', '/api/auth/register', {
    body: {
      email: `bench-${ctx.runId}-admin@bench.test`,
      password: 'bench-password-not-secret',
      full_name: 'Bench Admin',
      role: 'user',
    },
  });
  const admin = reply.body as { access_token?: string; user?: { id?: string } };
  if (reply.status !== 201 || !admin.user?.id || !admin.access_token)
    throw new Unavailable(`admin register: HTTP ${reply.status}`);
  const db = await openBenchDb(target.db.kind, target.db.location);
  try {
    await db.makeAdmin(admin.user.id);
    // Users are cloned in the bench database from a REST-registered one: 10,000 argon2 registrations would take minutes.
    const clones = await db.cloneUsers(admin.user.id, users, ctx.runId);
    return {
      adminToken: admin.access_token,
      users: clones.map((user) => ({ ...user, token: mintToken(ctx.secret, user, 'user') })),
    };
  } finally {
    await db.close();
  }
}

async function notificationBurst(lg: RpcClient, target: Target, fixture: BurstFixture): Promise<RunRecord['metrics']> {
  const specs = fixture.users.map((user) => ({ room: user.id, token: user.token, userId: user.id }));
  await openAll(lg, target, specs, 256, 'notifications');
  try {
    await sleep(500);
    await lg.call('armNotifications', {}, 10_000);
    const t0 = performance.timeOrigin + performance.now();
    const reply = await triggerNotificationBurst(
      target.endpoint.ports[0],
      fixture.adminToken,
      fixture.users.map((user) => user.id),
    );
    const requestMs = performance.timeOrigin + performance.now() - t0;
    if (reply.status >= 300)
      throw new Unavailable(
        `${NOTIFY_BURST_PATH} answered HTTP ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`,
      );
    const waited = await lg.call<NotificationWaitResult>('waitNotifications', { timeoutMs: 60_000 }, 90_000);
    if (waited.received < waited.expected) {
      throw new Unavailable(`only ${waited.received}/${waited.expected} users got the notification within 60 s`);
    }
    return {
      users: waited.expected,
      time_to_first_ms: waited.firstAt - t0,
      time_to_last_ms: waited.lastAt - t0,
      request_ms: requestMs,
      requests: Math.ceil(fixture.users.length / BURST_IDS_PER_REQUEST),
    };
  } finally {
    await closeAll(lg);
  }
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const plan = makePlan(opts);
  setLogSink(log);
  const runId = randomBytes(4).toString('hex');
  const workDir = mkdtempSync(join(tmpdir(), 'numerai-bench-'));
  const secret = randomBytes(32).toString('hex');
  const ctx: StartContext = { workDir, secret, runId, opts };
  const startedAt = new Date();
  const loadBefore = loadavg();
  workDirs.push(workDir);
  log(`bench: ${opts.quick ? 'quick' : 'full'} run, ${opts.repeats} repetition(s), work dir ${workDir}`);

  compileBench();
  const clusterSkip = opts.scenarios.has('cluster') ? clusterSkipReason() : 'not selected (--scenarios)';
  const clusterWanted = clusterSkip === undefined;
  const roomsNeeded = Math.max(plan.idle.rooms, plan.fanout.rooms, plan.dm.pairs);

  // Servers: the baselines first (cheap), then NumerAI (build, start, seed through REST).
  const targets: Target[] = [];
  for (const name of opts.targets) {
    if (name === 'ws' || name === 'socketio') targets.push(await startBaseline(ctx, name, roomsNeeded));
  }
  if (opts.targets.includes('numerai')) {
    log('numerai: starting and seeding through REST …');
    const numerai = await startNumerai(ctx, roomsNeeded);
    targets.unshift(numerai);
    log(
      numerai.available
        ? `numerai: ready (${numerai.roster.length} consultations seeded)`
        : `numerai: unavailable (${numerai.reason})`,
    );
    // With both URLs the cluster rows (bench/cluster) measure the scaled-out configuration instead.
    const scaled = clusterWanted ? undefined : await startScaledOut(ctx, roomsNeeded);
    if (scaled) {
      targets.splice(1, 0, scaled);
      log(
        scaled.available
          ? `${scaled.name}: ready on ${scaled.servers.length} instance(s)`
          : `${scaled.name}: unavailable (${scaled.reason})`,
      );
    } else if (!clusterWanted) {
      log('scaled-out configuration: not measured (set DATABASE_URL, and REDIS_URL for two instances)');
    }
  }
  for (const target of targets) {
    if (!target.available && target.name !== 'numerai') log(`${target.name}: unavailable (${target.reason})`);
  }

  const loadgen = startWorker(join(DIST_BENCH, 'load', 'loadgen.js'), ROOT, join(workDir, 'loadgen.log'));
  const lg = loadgen.rpc;
  await sleep(200);

  const results: ScenarioResults = emptyResults();
  const names = targets.map((target) => target.name);
  const live = () => targets.filter((target) => target.available);
  // A/B alternation: each repetition rotates the order of the targets.
  const order = (rep: number) => {
    const list = live();
    const shift = rep % Math.max(1, list.length);
    return [...list.slice(shift), ...list.slice(0, shift)];
  };
  for (const target of targets) {
    if (!target.available) {
      for (const scenario of ['idle', 'connect_storm', 'fanout', 'dm'] as ScenarioName[]) {
        skip(results, scenario, target.name, `unavailable (${target.reason})`);
        results[scenario][target.name].status = 'unavailable';
      }
    }
  }

  const perTarget = live().length;
  const weights = {
    idle: opts.quick ? 6 : 20,
    fanout: opts.quick ? 8 : 30,
    dm: opts.quick ? 8 : 30,
    notify: opts.quick ? 6 : 20,
  };
  progress = new Progress(
    opts.repeats *
      perTarget *
      ((opts.scenarios.has('idle') ? weights.idle : 0) +
        (opts.scenarios.has('fanout') ? weights.fanout : 0) +
        (opts.scenarios.has('dm') ? weights.dm : 0)) +
      (opts.scenarios.has('notify') ? opts.repeats * weights.notify : 0),
  );

  const profiles = new Map<string, string[]>();
  const profileDir = join(opts.outDir, 'profiles');
  const runOne = async (
    scenario: ScenarioName,
    target: Target,
    rep: number,
    body: () => Promise<{ metrics: RunRecord['metrics']; detail?: unknown }>,
    before?: () => Promise<void>,
  ) => {
    // --profile: the NumerAI child is CPU-profiled during each scenario only (start-up and seeding left out).
    const profiling = opts.profile && target.name === 'numerai';
    let profiled = false;
    try {
      await before?.();
      if (profiling) {
        await target.servers[0].rpc.call('profileStart', {}, 10_000);
        profiled = true;
      }
      const { metrics, detail } = await body();
      record(results, scenario, target.name, { rep, ok: true, metrics, detail });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      record(results, scenario, target.name, { rep, ok: false, reason, metrics: {} });
      log(`${scenario} / ${target.name}: unavailable (${reason})`);
      if (!(error instanceof Unavailable)) {
        // An unexpected failure (load generator crash, timeout): make sure nothing is left connected.
        await closeAll(lg).catch(() => undefined);
      }
    } finally {
      if (profiled) {
        mkdirSync(profileDir, { recursive: true });
        const file = join(profileDir, `${stamp(startedAt)}-numerai-${scenario}-rep${rep + 1}.cpuprofile`);
        try {
          await target.servers[0].rpc.call('profileStop', { file }, 60_000);
          profiles.set(scenario, [...(profiles.get(scenario) ?? []), file]);
        } catch (error) {
          log(`profile of ${scenario}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  };

  // Offered loads of the latency phases (50 % of raw ws's saturation in each repetition), for the notes.
  const offeredLoads: { fanout?: number[]; dm?: number[] } = {};
  const previous = new Map<string, number>();
  let burst: BurstFixture | undefined;
  let burstSkip: string | undefined;

  for (let rep = 0; rep < opts.repeats; rep++) {
    const targetsThisRep = order(rep);
    const tag = `rep ${rep + 1}/${opts.repeats}`;
    if (opts.scenarios.has('idle')) {
      for (const target of targetsThisRep) {
        progress.start(`idle+storm ${target.name} (${fmtNumber(plan.idle.connections)} conns) ${tag}`, weights.idle);
        let storm: RunRecord['metrics'] | undefined;
        await runOne(
          'idle',
          target,
          rep,
          async () => {
            const measured = await idleAndStorm(lg, target, plan);
            storm = measured.storm;
            return { metrics: measured.idle };
          },
          () => restartTarget(target),
        );
        if (storm) record(results, 'connect_storm', target.name, { rep, ok: true, metrics: storm });
        else {
          const failure = results.idle[target.name].runs.slice(-1)[0];
          record(results, 'connect_storm', target.name, { rep, ok: false, reason: failure.reason, metrics: {} });
        }
      }
    }
    for (const kind of ['fanout', 'dm'] as const) {
      if (!opts.scenarios.has(kind)) continue;
      const config: TrafficConfig = kind === 'fanout' ? plan.fanout : { ...plan.dm, rooms: plan.dm.pairs, perRoom: 2 };
      // 1. Saturation of every target (rotated order); 2. latency of every target at 50 % of raw ws's
      //    saturation *in this repetition*, so all three see the same offered load on the same machine state.
      const saturations = new Map<string, Saturation | Error>();
      for (const target of targetsThisRep) {
        const title = `${kind} ${target.name} ${tag}`;
        progress.start(title, weights[kind] / 2);
        const key = `${kind}:${target.name}`;
        const prior = previous.get(key);
        // Later repetitions start the search nearer the known saturation (fewer steps).
        const start = prior ? Math.max(config.startRate, prior * 0.3) : config.startRate;
        try {
          const saturation = await saturationPhase(lg, target, config, plan.padding, start, (text) =>
            progress?.start(`${title}: ${text}`, 0),
          );
          previous.set(key, saturation.best.msgsPerS);
          saturations.set(target.name, saturation);
        } catch (error) {
          saturations.set(target.name, error instanceof Error ? error : new Error(String(error)));
          if (!(error instanceof Unavailable)) await closeAll(lg).catch(() => undefined);
        }
      }
      const raw = saturations.get('ws');
      const rate = (own: Saturation) => {
        if (kind === 'dm' && opts.dmRate) return opts.dmRate;
        const base = 0.5 * (raw instanceof Error || !raw ? own.best.msgsPerS : raw.best.msgsPerS);
        return Math.max(1, Math.round(kind === 'dm' ? Math.min(plan.dm.latencyCap, base) : base));
      };
      for (const target of targetsThisRep) {
        const saturation = saturations.get(target.name);
        const offered = saturation instanceof Error || !saturation ? undefined : rate(saturation);
        if (offered !== undefined) (offeredLoads[kind] ??= []).push(offered);
        progress.start(
          `${kind} ${target.name} ${tag}: latency at ${fmtNumber(offered ?? NaN)} msg/s`,
          weights[kind] / 2,
        );
        await runOne(kind, target, rep, async () => {
          if (!saturation || saturation instanceof Error) throw saturation ?? new Unavailable('no saturation run');
          return latencyPhase(lg, target, config, plan.padding, offered ?? 1, saturation);
        });
      }
    }
    if (opts.scenarios.has('notify')) {
      const target = targets.find((candidate) => candidate.name === 'numerai');
      progress.start(`notification burst numerai ${tag}`, weights.notify);
      if (!target || !target.available) {
        burstSkip = `numerai unavailable (${target?.reason ?? 'not selected'})`;
      } else if (!burstSkip) {
        try {
          if (!burst) {
            if (!(await burstEndpointExists(target.endpoint.ports[0]))) {
              burstSkip = `skipped: POST ${NOTIFY_BURST_PATH} is not there yet (404) — see the triggerNotificationBurst hook in bench/run.ts`;
            } else {
              burst = await prepareBurst(target, ctx, plan.notify.users);
            }
          }
        } catch (error) {
          burstSkip = `setup failed: ${error instanceof Error ? error.message : String(error)}`;
        }
        const fixture = burst;
        if (fixture)
          await runOne('notification_burst', target, rep, async () => ({
            metrics: await notificationBurst(lg, target, fixture),
          }));
      }
      if (burstSkip && rep === 0) log(`notification burst: ${burstSkip}`);
    }
  }
  progress.stop();
  progress = undefined;
  const cluster = await clusterSection(opts, ctx, lg, clusterSkip);
  if (burstSkip) skip(results, 'notification_burst', 'numerai', burstSkip);

  summarize(results);
  const ratios = computeRatios(results);
  const targetChecks = checkTargets(results, ratios);

  const profile: Record<string, { files: string[]; top: HotFunction[] }> = {};
  for (const [scenario, files] of profiles) {
    profile[scenario] = { files: files.map((file) => relative(ROOT, file)), top: topFunctions(files, 25) };
  }

  const notes = [
    `${opts.quick ? 'Quick' : 'Full'} run, ${opts.repeats} repetition(s), medians; load average ${loadBefore[0].toFixed(1)} → ${loadavg()[0].toFixed(1)}; ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'cpu'}), Node ${process.version}.`,
    `Idle: ${fmtNumber(plan.idle.connections)} authenticated chat connections (rooms of ${plan.idle.perRoom}); memory after GC, marginal cost per connection between ${fmtNumber(Math.floor(plan.idle.connections / 2))} and ${fmtNumber(plan.idle.connections)} held.`,
    `Fan-out: ${plan.fanout.rooms} rooms × ${plan.fanout.perRoom} connections; latency and CPU at 50 % of raw ws's saturation in the same repetition (${loads(offeredLoads.fanout)} msg/s offered).`,
    `DM: ${plan.dm.pairs} two-party chats; latency and CPU at ${opts.dmRate ? 'a fixed rate (--dm-rate)' : `min(${fmtNumber(plan.dm.latencyCap)}, 50 % of raw ws's saturation)`} (${loads(offeredLoads.dm)} msg/s offered). NumerAI stores every message (SQLite), the baselines store nothing.`,
    ...targets.filter((target) => !target.available).map((target) => `${target.name}: unavailable (${target.reason})`),
  ];
  const table = markdownTable(results, ratios, names, notes);
  const output = {
    date: startedAt.toISOString(),
    commit: gitCommit(),
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model.trim(),
      memory_bytes: totalmem(),
      node: process.version,
      // Other work on the machine skews wall-clock rates (CPU per frame much less): the 1-minute load average.
      load_average_before: Math.round(loadBefore[0] * 100) / 100,
      load_average_after: Math.round(loadavg()[0] * 100) / 100,
    },
    options: {
      quick: opts.quick,
      repeats: opts.repeats,
      targets: opts.targets,
      scenarios: [...opts.scenarios],
      profile: opts.profile,
    },
    plan,
    offered_loads: offeredLoads,
    targets: Object.fromEntries(
      targets.map((target) => [
        target.name,
        {
          available: target.available,
          reason: target.reason,
          instances: target.servers.length,
          protocol: target.endpoint.protocol,
        },
      ]),
    ),
    ratios,
    targets_met: targetChecks,
    scenarios: results,
    cluster: cluster.json,
    profile,
  };
  mkdirSync(opts.outDir, { recursive: true });
  const base = join(opts.outDir, `${stamp(startedAt)}${opts.quick ? '-quick' : ''}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(output, null, 2)}\n`);
  const targetLines = targetChecks.map(
    (check) =>
      `- ${check.met === null ? '…' : check.met ? '✅' : '❌'} ${check.description}: ${check.value === null ? 'n/a' : check.value}`,
  );
  const profileLines = Object.entries(profile).flatMap(([scenario, { files, top }]) => [
    '',
    `CPU profile of the NumerAI child during ${scenario} (${files.length} file(s) in ${relative(ROOT, profileDir)}), top self time:`,
    '',
    '| % busy | self ms | function | where |',
    '| ---: | ---: | --- | --- |',
    ...top.slice(0, 15).map((hot) => `| ${hot.percent} | ${hot.selfMs} | ${hot.function} | ${hot.location} |`),
  ]);
  const markdown = [
    `# Benchmark ${startedAt.toISOString()}`,
    '',
    table,
    '',
    'Targets:',
    '',
    ...targetLines,
    ...profileLines,
    '',
    cluster.markdown,
    '',
  ].join('\n');
  writeFileSync(`${base}.md`, markdown);
  process.stdout.write(
    `\n${table}\n\nTargets:\n${targetLines.join('\n')}\n${profileLines.join('\n')}\n\n${cluster.markdown}\n\nResults: ${relative(ROOT, base)}.json and .md\n`,
  );

  // Only the main scenarios run the baselines (--scenarios cluster alone leaves them idle).
  const baselinesRan = ['idle', 'fanout', 'dm'].some((scenario) => opts.scenarios.has(scenario));
  const baselinesOk = ['ws', 'socketio']
    .filter((name) => baselinesRan && opts.targets.includes(name))
    .every((name) => Object.values(results).some((scenario) => scenario[name]?.status === 'ok'));
  if (!baselinesOk) {
    process.stderr.write('bench: a baseline produced no result — the benchmark itself is broken\n');
    return 1;
  }
  if (opts.strict && targetChecks.some((check) => check.met !== true)) {
    process.stderr.write('bench: --strict and some targets are not met\n');
    return 1;
  }
  return 0;
}

/** The scaled-out rows (bench/cluster): run when DATABASE_URL and REDIS_URL are set, else one line why not. */
async function clusterSection(
  opts: Options,
  ctx: StartContext,
  lg: RpcClient,
  skipReason: string | undefined,
): Promise<{ json: unknown; markdown: string }> {
  if (skipReason) {
    // Printed once, with the table at the end of the run.
    const line = `cluster rows: skipped (${skipReason})`;
    return { json: { skipped: skipReason }, markdown: line };
  }
  const plan = clusterPlan(opts.quick, opts.cluster);
  const loadBefore = loadavg()[0];
  let runs: ClusterRun[] = [];
  let failure: string | undefined;
  try {
    runs = await runCluster(ctx, plan, { lg, log });
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    log(`cluster rows: failed (${failure})`);
  }
  const notes = [
    `${opts.quick ? 'Quick' : 'Full'} run, one repetition; load average ${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)} on a machine shared with other work (wall-clock rates and latencies move with it; CPU per delivery much less).`,
    `Fan-out: ${plan.fanout.rooms} rooms × ${plan.fanout.perRoom} connections at ${fmtNumber(plan.fanout.rate)} msg/s for every target; DM: ${plan.dm.pairs} pairs, p50/p99 and CPU at ${fmtNumber(plan.dm.rate)} msg/s, then a saturation search from ${fmtNumber(plan.dm.startRate)} msg/s (×${plan.dm.factor}). The connections of every room and pair are spread over the instances; CPU is summed over all instances.`,
    `Bystander: ${plan.bystanderInstances} instances; the busy rooms on the first ${Math.max(1, Math.floor(plan.bystanderInstances / 2))}, the others hold no connection; mean bystander CPU ÷ mean busy-instance CPU.`,
    ...(failure ? [`The cluster run failed: ${failure}`] : []),
  ];
  return {
    json: { plan, runs, checks: clusterChecks(runs, plan), notes, failure },
    markdown: clusterMarkdown(runs, plan, notes),
  };
}

let progress: Progress | undefined;
function log(message: string): void {
  if (progress) progress.log(message);
  else process.stderr.write(`${message}\n`);
}

/** The distinct offered loads of the latency phases, e.g. "950, 1,020". */
function loads(values: number[] | undefined): string {
  return values?.length ? [...new Set(values)].map((value) => fmtNumber(value)).join(', ') : '–';
}

function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

function gitCommit(): string | undefined {
  const result = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

let workDirs: string[] = [];
/** Stops every child; the work dir (server logs) is kept when the run failed, for the post-mortem. */
async function cleanup(keepLogs = false): Promise<void> {
  progress?.stop();
  await stopAll(3000);
  for (const task of cleanupTasks.splice(0)) await task().catch(() => undefined);
  for (const dir of workDirs) {
    if (keepLogs) process.stderr.write(`bench: server and load-generator logs kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
  workDirs = [];
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping servers …\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

const timeLimitMin = (() => {
  try {
    return parseArgs(process.argv.slice(2)).timeLimitMin;
  } catch {
    return 60;
  }
})();
const hardStop = setTimeout(() => {
  process.stderr.write(`\nbench: time limit of ${timeLimitMin} min reached, stopping\n`);
  void cleanup(true).finally(() => process.exit(2));
}, timeLimitMin * 60_000);
hardStop.unref();

main()
  .then(async (code) => {
    await cleanup(code !== 0);
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    process.stderr.write(
      `\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    await cleanup(true);
    process.exit(1);
  });
