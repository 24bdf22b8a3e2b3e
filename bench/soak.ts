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
 * Against NumerAI a chaos pool runs alongside (issue 8): `--chaos` more connections (default a
 * quarter of `--connections`, at least 100; 0 turns it off) in rooms of their own that chat with
 * a client_id each, send garbage frames (invalid JSON, wrong types, binary, 40-deep nesting, NUL,
 * oversized), resend acknowledged messages, and keep dropping their connections (close, abrupt
 * terminate, a frame over 64 KB) and reconnecting, resending whatever was not acknowledged with the
 * same client_id. At the end every acknowledged message must be stored exactly once (checked in the
 * database), every garbage frame answered with a protocol error, and the server's heap back within
 * 10 % (+8 MB) of where it was before the soak's connections opened.
 *
 * Writes bench/results/soak-<date>.json; exits 1 when memory kept growing or did not come back,
 * connections dropped, or an acknowledged message was lost or duplicated.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
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
import type { RosterRoom, TrafficResult } from './lib/types';

interface SoakOptions {
  target: 'numerai' | 'ws' | 'socketio';
  minutes: number;
  connections: number;
  rate: number;
  intervalS: number;
  build: boolean;
  /** Chaos connections (NumerAI only); -1 = a quarter of `connections`, at least 100. */
  chaos: number;
}

function parse(argv: string[]): SoakOptions {
  const opts: SoakOptions = {
    target: 'numerai',
    minutes: 10,
    connections: 2000,
    rate: 200,
    intervalS: 20,
    build: true,
    chaos: -1,
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
    else if (arg === '--chaos') opts.chaos = Number(next());
    else throw new Error(`unknown option ${arg}`);
  }
  if (!['numerai', 'ws', 'socketio'].includes(opts.target)) throw new Error(`unknown target ${opts.target}`);
  if (!(opts.minutes > 0 && opts.minutes <= 120)) throw new Error('--minutes must be in (0, 120]');
  if (!(opts.connections >= 2 && opts.connections <= 15_000)) throw new Error('--connections must be 2–15000');
  if (!(opts.rate > 0 && opts.rate <= 50_000)) throw new Error('--rate must be in (0, 50000]');
  if (!(opts.intervalS >= 5 && opts.intervalS <= 600)) throw new Error('--interval must be 5–600 s');
  if (opts.chaos === -1) opts.chaos = opts.target === 'numerai' ? Math.max(100, Math.round(opts.connections / 4)) : 0;
  if (!(Number.isInteger(opts.chaos) && opts.chaos >= 0 && opts.chaos <= 5_000))
    throw new Error('--chaos must be 0–5000');
  if (opts.target !== 'numerai') opts.chaos = 0;
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
  const chaosRooms = Math.ceil(opts.chaos / CHAOS_PER_ROOM);
  compileBench();
  const ctx = {
    workDir,
    secret: randomBytes(32).toString('hex'),
    runId: randomBytes(4).toString('hex'),
    opts: { build: opts.build },
  };
  let target: Target;
  try {
    target =
      opts.target === 'numerai'
        ? await startNumerai(ctx, rooms + chaosRooms)
        : await startBaseline(ctx, opts.target, rooms);
    if (!target.available) throw new Error(`${opts.target} unavailable: ${target.reason}`);
    const chaos =
      opts.chaos > 0 ? new ChaosPool(target, target.roster.slice(rooms, rooms + chaosRooms), opts.chaos) : undefined;
    // The starting level: after a warm-up that opened, used and closed chaos connections once.
    if (chaos) await chaos.warmUp();
    const memoryStart = await memoryOfTarget(target);
    const { rpc: lg } = startWorker(join(DIST_BENCH, 'load', 'loadgen.js'), ROOT, join(workDir, 'loadgen.log'));
    await sleep(200);
    await openAll(lg, target, chatSpecs(target.roster, rooms, perRoom).slice(0, opts.connections), 128);
    process.stderr.write(
      `soak: ${opts.target}, ${fmtNumber(opts.connections)} connections, ${fmtNumber(opts.rate)} msg/s, ${opts.minutes} min` +
        `${chaos ? `, ${fmtNumber(opts.chaos)} chaos connections` : ''}; heap at start ${fmtBytes(memoryStart.heapUsed)}\n`,
    );
    chaos?.start();
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
          `p99 ${sample.p99_ms} ms  delivered ${(sample.delivered_fraction * 100).toFixed(2)}%  closed ${sample.closed}  errors ${sample.error_frames}` +
          `${chaos ? `  chaos ${chaos.progress()}` : ''}\n`,
      );
    }
    await chaos?.stop();
    await closeAll(lg);
    // Timers that outlive a socket by design (presence grace, typing, close deadlines) run out, then GC.
    await sleep(10_000);
    const memoryEnd = await memoryOfTarget(target);
    const chaosVerdict = chaos ? await chaos.verify() : undefined;
    const heapReturned = memoryEnd.heapUsed <= memoryStart.heapUsed * 1.1 + 8 * 1024 * 1024;

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
      memory_start: { rss: memoryStart.rss, heap_used: memoryStart.heapUsed },
      memory_end: { rss: memoryEnd.rss, heap_used: memoryEnd.heapUsed },
      heap_returned: heapReturned,
      chaos: chaosVerdict,
      ok: heapGrowth < 0.1 && dropped === 0 && !lost && heapReturned && (chaosVerdict?.ok ?? true),
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

// ---------------------------------------------------------------------------------------------
// Chaos pool (issue 8): connections that chat with client_ids, send garbage and keep reconnecting.

/** Connections per chaos room: the client and the numerologist, two devices each. */
const CHAOS_PER_ROOM = 4;
/** Frames per second each chaos connection sends, on average. */
const CHAOS_FRAMES_PER_S = 1;

/** Garbage a hostile or broken client sends; each must be answered with one of GARBAGE_CODES and change nothing. */
const GARBAGE: (string | Buffer)[] = [
  'not json',
  '{"type":',
  Buffer.from([0x00, 0xff, 0x10, 0x7b]),
  '{"type":"nope"}',
  '{"type":"chat_message","message":42}',
  '{"type":"chat_message","message":"   "}',
  '{"type":"chat_message","message":"nul \\u0000 inside"}',
  `{"type":"typing","is_typing":${'['.repeat(40)}${']'.repeat(40)}}`,
  '{"type":"read_receipt","message_id":"nope"}',
  '{"type":"read_receipt","message_id":"00000000-0000-4000-8000-000000000000"}',
  '{"__proto__":{"type":"ping"}}',
  `{"type":"chat_message","message":"${'y'.repeat(5000)}"}`,
];
const GARBAGE_CODES = new Set(['invalid_json', 'unknown_type', 'validation_failed', 'not_found']);

interface ChaosVerdict {
  connections: number;
  connects: number;
  faults: Record<string, number>;
  closes: Record<string, number>;
  frames_sent: number;
  garbage_sent: number;
  error_frames: Record<string, number>;
  unexpected_error_frames: number;
  messages_sent: number;
  resends: number;
  acknowledged: number;
  acknowledged_stored_once: number;
  acknowledged_lost: number;
  duplicated: number;
  ack_mismatches: number;
  unacknowledged_stored: number;
  unacknowledged_not_stored: number;
  ok: boolean;
}

class ChaosActor {
  ws: WebSocket | undefined;
  open = false;
  seq = 0;
  reconnectAt = 0;
  readonly pending = new Map<string, string>();
  readonly ackedOwn: string[] = [];

  constructor(
    readonly pool: ChaosPool,
    readonly prefix: string,
    readonly url: string,
    readonly userId: string,
  ) {}

  connect(): void {
    const ws = new WebSocket(this.url, { perMessageDeflate: false, handshakeTimeout: 10_000 });
    this.ws = ws;
    this.pool.connects++;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      let frame: { type?: string; code?: string; data?: { id?: string; client_id?: string; sender_id?: string } };
      try {
        frame = JSON.parse(data.toString()) as typeof frame;
      } catch {
        this.pool.count(this.pool.errorFrames, 'unparsable answer');
        return;
      }
      if (frame.type === 'connection_established') {
        this.open = true;
        // Whatever was not acknowledged goes again with the same client_id: stored once whatever happened.
        for (const [clientId, content] of this.pending) {
          this.pool.resends++;
          this.send(JSON.stringify({ type: 'chat_message', message: content, client_id: clientId }));
        }
      } else if (frame.type === 'chat_message') {
        const clientId = frame.data?.client_id;
        if (clientId?.startsWith(this.prefix) && frame.data?.sender_id === this.userId && frame.data.id) {
          if (this.pool.ack(clientId, frame.data.id) && this.pending.delete(clientId)) this.ackedOwn.push(clientId);
        }
      } else if (frame.type === 'error') {
        this.pool.count(this.pool.errorFrames, frame.code ?? 'no code');
      }
    });
    ws.on('error', () => undefined);
    ws.on('close', (code: number) => {
      this.open = false;
      this.ws = undefined;
      this.pool.count(this.pool.closes, String(code));
      this.reconnectAt = Date.now() + 100 + Math.random() * 900;
    });
  }

  send(frame: string | Buffer): void {
    this.pool.framesSent++;
    this.ws?.send(frame, { binary: Buffer.isBuffer(frame) });
  }

  act(): void {
    if (!this.ws) {
      if (!this.pool.stopping && Date.now() >= this.reconnectAt) this.connect();
      return;
    }
    if (!this.open) return;
    const r = Math.random();
    if (r < 0.5) {
      const clientId = `${this.prefix}${++this.seq}`;
      const content = `soak|${clientId}`;
      this.pending.set(clientId, content);
      this.pool.sent.add(clientId);
      this.send(JSON.stringify({ type: 'chat_message', message: content, client_id: clientId }));
    } else if (r < 0.75) {
      this.pool.garbageSent++;
      this.send(GARBAGE[Math.floor(Math.random() * GARBAGE.length)]);
    } else if (r < 0.83) {
      this.send(JSON.stringify({ type: 'typing', is_typing: Math.random() < 0.5 }));
    } else if (r < 0.93) {
      // A resend of an acknowledged message: the answer must be the message already stored.
      const clientId = this.ackedOwn[Math.floor(Math.random() * this.ackedOwn.length)];
      if (clientId) {
        this.pool.resends++;
        this.send(JSON.stringify({ type: 'chat_message', message: `soak|${clientId}`, client_id: clientId }));
      }
    } else if (r < 0.97) {
      this.send('{"type":"ping"}');
    } else {
      const fault = ['close', 'terminate', 'oversized frame'][Math.floor(Math.random() * 3)];
      this.pool.count(this.pool.faults, fault);
      if (fault === 'close') this.ws.close(1000);
      else if (fault === 'terminate') this.ws.terminate();
      else this.send('x'.repeat(70 * 1024));
    }
  }
}

class ChaosPool {
  readonly actors: ChaosActor[] = [];
  readonly acked = new Map<string, string>();
  readonly sent = new Set<string>();
  readonly errorFrames: Record<string, number> = {};
  readonly closes: Record<string, number> = {};
  readonly faults: Record<string, number> = {};
  connects = 0;
  framesSent = 0;
  garbageSent = 0;
  resends = 0;
  mismatches = 0;
  stopping = false;
  private ticker: NodeJS.Timeout | undefined;
  private readonly runTag = randomBytes(3).toString('hex');

  constructor(
    private readonly target: Target,
    rooms: RosterRoom[],
    size: number,
  ) {
    const port = target.endpoint.ports[0];
    for (let i = 0; i < size; i++) {
      const room = rooms[Math.floor(i / CHAOS_PER_ROOM)];
      const user = i % 2 === 0 ? room.client : room.numerologist;
      const url = `ws://127.0.0.1:${port}/ws/chat/${room.id}/?token=${encodeURIComponent(user.token)}`;
      this.actors.push(new ChaosActor(this, `soak-${this.runTag}-${i}-`, url, user.id));
    }
  }

  count(map: Record<string, number>, key: string): void {
    map[key] = (map[key] ?? 0) + 1;
  }

  /** Records an acknowledgement; false (and a mismatch) when one client_id was acknowledged as two messages. */
  ack(clientId: string, messageId: string): boolean {
    const known = this.acked.get(clientId);
    if (known !== undefined && known !== messageId) {
      this.mismatches++;
      return false;
    }
    this.acked.set(clientId, messageId);
    return true;
  }

  /** Every connection opened, used and closed once, so that the starting level includes warmed-up code paths. */
  async warmUp(): Promise<void> {
    this.start();
    await sleep(5_000);
    await this.stop();
    this.stopping = false;
    await sleep(8_000);
  }

  start(): void {
    for (const actor of this.actors) if (!actor.ws) actor.connect();
    const started = Date.now();
    let done = 0;
    let next = 0;
    this.ticker = setInterval(() => {
      const due = Math.floor(((Date.now() - started) / 1000) * this.actors.length * CHAOS_FRAMES_PER_S);
      for (; done < due; done++) this.actors[next++ % this.actors.length].act();
    }, 20);
  }

  /** Stops sending; reconnects whoever still has unacknowledged messages (they are resent), then closes everything. */
  async stop(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    const deadline = Date.now() + 15_000;
    while (this.actors.some((a) => a.pending.size > 0) && Date.now() < deadline) {
      for (const actor of this.actors) if (actor.pending.size > 0 && !actor.ws) actor.connect();
      await sleep(250);
    }
    this.stopping = true;
    for (const actor of this.actors) actor.ws?.close(1000);
    const closing = Date.now() + 5_000;
    while (this.actors.some((a) => a.ws) && Date.now() < closing) await sleep(50);
    for (const actor of this.actors) actor.ws?.terminate();
  }

  progress(): string {
    const errors = Object.values(this.errorFrames).reduce((sum, n) => sum + n, 0);
    const faults = Object.values(this.faults).reduce((sum, n) => sum + n, 0);
    return `acked ${fmtNumber(this.acked.size)}/${fmtNumber(this.sent.size)}  garbage ${fmtNumber(this.garbageSent)} → errors ${fmtNumber(errors)}  faults ${fmtNumber(faults)}  connects ${fmtNumber(this.connects)}`;
  }

  /** The database against what was acknowledged: each acknowledged client_id stored once, as the acknowledged id. */
  async verify(): Promise<ChaosVerdict> {
    const like = `soak-${this.runTag}-%`;
    const sql = `SELECT client_id, COUNT(*) AS n, MIN(id) AS id FROM chat_messages WHERE client_id LIKE ${this.target.db?.kind === 'postgres' ? '$1' : '?'} GROUP BY consultation_id, sender_id, client_id`;
    let rows: { client_id: string; n: number | string; id: string }[];
    if (this.target.db?.kind === 'postgres') {
      const { Client } = await import('pg');
      const client = new Client({ connectionString: this.target.db.location });
      await client.connect();
      try {
        rows = (await client.query(sql, [like])).rows;
      } finally {
        await client.end();
      }
    } else {
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(join(this.target.db!.location, 'numerai.sqlite'), { readonly: true, timeout: 10_000 });
      try {
        rows = db.prepare(sql).all(like) as typeof rows;
      } finally {
        db.close();
      }
    }
    const stored = new Map<string, { n: number; id: string }>();
    let duplicated = 0;
    for (const row of rows) {
      const n = Number(row.n);
      if (n > 1 || stored.has(row.client_id)) duplicated++;
      stored.set(row.client_id, { n, id: row.id });
    }
    let storedOnce = 0;
    let lost = 0;
    let mismatches = this.mismatches;
    for (const [clientId, messageId] of this.acked) {
      const row = stored.get(clientId);
      if (!row) lost++;
      else if (row.n === 1 && row.id === messageId) storedOnce++;
      else if (row.id !== messageId) mismatches++;
    }
    let unackedStored = 0;
    for (const clientId of this.sent) if (!this.acked.has(clientId) && stored.has(clientId)) unackedStored++;
    const unexpected = Object.entries(this.errorFrames)
      .filter(([code]) => !GARBAGE_CODES.has(code))
      .reduce((sum, [, n]) => sum + n, 0);
    return {
      connections: this.actors.length,
      connects: this.connects,
      faults: this.faults,
      closes: this.closes,
      frames_sent: this.framesSent,
      garbage_sent: this.garbageSent,
      error_frames: this.errorFrames,
      unexpected_error_frames: unexpected,
      messages_sent: this.sent.size,
      resends: this.resends,
      acknowledged: this.acked.size,
      acknowledged_stored_once: storedOnce,
      acknowledged_lost: lost,
      duplicated,
      ack_mismatches: mismatches,
      unacknowledged_stored: unackedStored,
      unacknowledged_not_stored: this.sent.size - this.acked.size - unackedStored,
      ok:
        this.acked.size > 0 &&
        storedOnce === this.acked.size &&
        lost === 0 &&
        duplicated === 0 &&
        mismatches === 0 &&
        unexpected === 0,
    };
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
