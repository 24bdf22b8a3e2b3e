/**
 * `npm run soak` — one target held under steady chat traffic for a while, to catch what a short
 * benchmark cannot: memory that only grows, connections that get dropped, latency that drifts.
 * Every interval it offers `--rate` chat messages/s over `--connections` connections (rooms of
 * 10), then samples the server's memory after GC and its CPU. All traffic goes to 127.0.0.1 and
 * the run is bounded (at most 120 minutes).
 *
 *   npm run soak                                  NumerAI, 10 min, 2,000 connections, 200 msg/s
 *   npm run soak -- --minutes 30 --connections 5000 --rate 500 --target numerai|ws|socketio
 *
 * Writes bench/results/soak-<date>.json; exits 1 when memory kept growing or connections dropped.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { chatSpecs } from './lib/seed';
import { killAllNow, startWorker, stopAll } from './lib/servers';
import { fmtBytes, fmtNumber, sleep } from './lib/stats';
import {
  closeAll,
  compileBench,
  cpuOf,
  DIST_BENCH,
  memoryOfTarget,
  openAll,
  ROOT,
  startBaseline,
  startNumerai,
  Target,
} from './lib/targets';
import type { TrafficResult } from './lib/types';

interface SoakOptions {
  target: 'numerai' | 'ws' | 'socketio';
  minutes: number;
  connections: number;
  rate: number;
  intervalS: number;
  build: boolean;
}

function parse(argv: string[]): SoakOptions {
  const opts: SoakOptions = {
    target: 'numerai',
    minutes: 10,
    connections: 2000,
    rate: 200,
    intervalS: 20,
    build: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => argv[++i] ?? '';
    if (arg === '--target') opts.target = next() as SoakOptions['target'];
    else if (arg === '--minutes') opts.minutes = Number(next());
    else if (arg === '--connections') opts.connections = Number(next());
    else if (arg === '--rate') opts.rate = Number(next());
    else if (arg === '--interval') opts.intervalS = Number(next());
    else if (arg === '--no-build') opts.build = false;
    else throw new Error(`unknown option ${arg}`);
  }
  if (!['numerai', 'ws', 'socketio'].includes(opts.target)) throw new Error(`unknown target ${opts.target}`);
  if (!(opts.minutes > 0 && opts.minutes <= 120)) throw new Error('--minutes must be in (0, 120]');
  if (!(opts.connections >= 2 && opts.connections <= 15_000)) throw new Error('--connections must be 2–15000');
  if (!(opts.rate > 0 && opts.rate <= 50_000)) throw new Error('--rate must be in (0, 50000]');
  if (!(opts.intervalS >= 5 && opts.intervalS <= 600)) throw new Error('--interval must be 5–600 s');
  return opts;
}

interface Sample {
  at_s: number;
  rss: number;
  heap_used: number;
  cpu_pct: number;
  deliveries_per_s: number;
  p50_ms: number;
  p99_ms: number;
  delivered_fraction: number;
  closed: number;
  error_frames: number;
}

async function main(): Promise<number> {
  const opts = parse(process.argv.slice(2));
  const workDir = mkdtempSync(join(tmpdir(), 'numerai-soak-'));
  const perRoom = 10;
  const rooms = Math.ceil(opts.connections / perRoom);
  compileBench();
  const ctx = {
    workDir,
    secret: randomBytes(32).toString('hex'),
    runId: randomBytes(4).toString('hex'),
    opts: { build: opts.build },
  };
  let target: Target;
  try {
    target = opts.target === 'numerai' ? await startNumerai(ctx, rooms) : await startBaseline(ctx, opts.target, rooms);
    if (!target.available) throw new Error(`${opts.target} unavailable: ${target.reason}`);
    const { rpc: lg } = startWorker(join(DIST_BENCH, 'load', 'loadgen.js'), ROOT, join(workDir, 'loadgen.log'));
    await sleep(200);
    await openAll(lg, target, chatSpecs(target.roster, rooms, perRoom).slice(0, opts.connections), 128);
    process.stderr.write(
      `soak: ${opts.target}, ${fmtNumber(opts.connections)} connections, ${fmtNumber(opts.rate)} msg/s, ${opts.minutes} min\n`,
    );
    const samples: Sample[] = [];
    const started = Date.now();
    const end = started + opts.minutes * 60_000;
    while (Date.now() < end) {
      const durationMs = Math.min(opts.intervalS * 1000, Math.max(1000, end - Date.now()));
      const cpu0 = cpuOf(target);
      const t0 = Date.now();
      const result = await lg.call<TrafficResult>(
        'traffic',
        { rate: opts.rate, durationMs, drainMs: 5000, warmupFraction: 0, padding: 64 },
        durationMs + 30_000,
      );
      const cpuPct = ((cpuOf(target) - cpu0) / 1000 / (Date.now() - t0)) * 100;
      const memory = await memoryOfTarget(target);
      const sample: Sample = {
        at_s: Math.round((Date.now() - started) / 1000),
        rss: memory.rss,
        heap_used: memory.heapUsed,
        cpu_pct: Math.round(cpuPct * 10) / 10,
        deliveries_per_s: result.deliveriesPerS,
        p50_ms: result.latencyMs.p50,
        p99_ms: result.latencyMs.p99,
        delivered_fraction: result.expectedDeliveries ? result.deliveries / result.expectedDeliveries : 0,
        closed: result.closedDuringRun,
        error_frames: Object.values(result.errorFrames).reduce((sum, n) => sum + n, 0),
      };
      samples.push(sample);
      process.stderr.write(
        `  ${String(sample.at_s).padStart(5)} s  rss ${fmtBytes(sample.rss).padStart(10)}  heap ${fmtBytes(sample.heap_used).padStart(10)}  cpu ${sample.cpu_pct}%  ` +
          `p99 ${sample.p99_ms} ms  delivered ${(sample.delivered_fraction * 100).toFixed(2)}%  closed ${sample.closed}  errors ${sample.error_frames}\n`,
      );
    }
    await closeAll(lg);

    // Growth: the second half of the run against the first half (the first sample is warm-up).
    const steady = samples.slice(1);
    const half = Math.floor(steady.length / 2);
    const mean = (list: Sample[], key: 'rss' | 'heap_used') =>
      list.reduce((sum, s) => sum + s[key], 0) / Math.max(1, list.length);
    const heapGrowth =
      half > 0 ? mean(steady.slice(half), 'heap_used') / mean(steady.slice(0, half), 'heap_used') - 1 : 0;
    const rssGrowth = half > 0 ? mean(steady.slice(half), 'rss') / mean(steady.slice(0, half), 'rss') - 1 : 0;
    const dropped = samples.reduce((sum, s) => sum + s.closed, 0);
    const lost = samples.some((s) => s.delivered_fraction < 0.999);
    const verdict = {
      heap_growth_second_half: Math.round(heapGrowth * 1000) / 1000,
      rss_growth_second_half: Math.round(rssGrowth * 1000) / 1000,
      connections_dropped: dropped,
      deliveries_lost: lost,
      ok: heapGrowth < 0.1 && dropped === 0 && !lost,
    };
    const outDir = join(ROOT, 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    const file = join(
      outDir,
      `soak-${new Date()
        .toISOString()
        .replace(/\.\d+Z$/, 'Z')
        .replace(/:/g, '-')}.json`,
    );
    writeFileSync(file, `${JSON.stringify({ options: opts, verdict, samples }, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(verdict)}\nResults: ${relative(ROOT, file)}\n`);
    return verdict.ok ? 0 : 1;
  } finally {
    await stopAll(3000);
    rmSync(workDir, { recursive: true, force: true });
  }
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stopAll(2000).finally(() => process.exit(130));
  });
}
// A hard stop well past the longest allowed soak, whatever happens.
setTimeout(() => {
  process.stderr.write('soak: hard time limit reached\n');
  killAllNow();
  process.exit(2);
}, 130 * 60_000).unref();

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`soak failed: ${error instanceof Error ? error.message : String(error)}\n`);
    killAllNow();
    process.exit(1);
  },
);
