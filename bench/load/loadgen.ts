/**
 * The load generator: a child process of bench/run.ts, separate from every server, driven over
 * IPC (bench/lib/rpc.ts). It holds the client connections of one target at a time and offers
 * open-loop chat traffic at a fixed rate, measuring deliveries and end-to-end latency at the
 * receivers (the sender's timestamp travels in the message content). Only 127.0.0.1 is dialled.
 */
import { Histogram } from '../lib/histogram';
import { serveRpc } from '../lib/rpc';
import type {
  ConnectRequest,
  ConnectResult,
  NotificationWaitResult,
  TrafficRequest,
  TrafficResult,
} from '../lib/types';
import { Conn, ConnEvents, nowMs, openConn } from './clients';

/** A sender whose socket has this much unsent data is skipped: the server has stopped reading. */
const BACKLOG_CAP_BYTES = 1024 * 1024;
const SEND_TICK_MS = 2;

let conns: Conn[] = [];
let rooms: Conn[][] = [];

interface Run {
  windowStart: number;
  windowEnd: number;
  deliveries: number;
  windowDeliveries: number;
  histogram: Histogram;
  errors: Record<string, number>;
  closed: number;
}
let run: Run | undefined;

interface NotificationRun {
  seen: Set<Conn>;
  firstAt: number;
  lastAt: number;
  done?: () => void;
}
let notificationRun: NotificationRun | undefined;

const events: ConnEvents = {
  chat(_conn, sentAt) {
    const current = run;
    if (!current) return;
    const now = nowMs();
    current.deliveries++;
    current.histogram.record(now - sentAt);
    if (now >= current.windowStart && now <= current.windowEnd) current.windowDeliveries++;
  },
  notification(conn) {
    const current = notificationRun;
    if (!current || current.seen.has(conn)) return;
    const now = nowMs();
    current.seen.add(conn);
    if (current.seen.size === 1) current.firstAt = now;
    current.lastAt = now;
    if (current.seen.size >= conns.filter((c) => c.open).length) current.done?.();
  },
  errorFrame(_conn, code) {
    if (run) run.errors[code] = (run.errors[code] ?? 0) + 1;
  },
  closed() {
    if (run) run.closed++;
  },
};

async function connect(req: ConnectRequest): Promise<ConnectResult> {
  const errors: Record<string, number> = {};
  let opened = 0;
  let next = 0;
  const started = nowMs();
  const cpuBefore = process.cpuUsage();
  let lastOpen = started;
  const byRoom = new Map<string, Conn[]>();
  for (const conn of conns) {
    const list = byRoom.get(conn.spec.room) ?? [];
    list.push(conn);
    byRoom.set(conn.spec.room, list);
  }
  async function worker(): Promise<void> {
    while (next < req.specs.length) {
      const index = next++;
      const spec = req.specs[index];
      const port = req.target.ports[index % req.target.ports.length];
      try {
        const conn = await openConn(req.target.protocol, port, req.path, spec, events, req.timeoutMs);
        conns.push(conn);
        const list = byRoom.get(spec.room) ?? [];
        list.push(conn);
        byRoom.set(spec.room, list);
        opened++;
        lastOpen = nowMs();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        errors[reason] = (errors[reason] ?? 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(req.concurrency, req.specs.length)) }, worker));
  rooms = [...byRoom.values()];
  const cpu = process.cpuUsage(cpuBefore);
  const elapsedMs = lastOpen - started;
  return {
    requested: req.specs.length,
    opened,
    failed: req.specs.length - opened,
    errors,
    elapsedMs: round(elapsedMs),
    ratePerS: elapsedMs > 0 ? round((opened * 1000) / elapsedMs) : 0,
    loadgenCpuUs: cpu.user + cpu.system,
  };
}

async function traffic(req: TrafficRequest): Promise<TrafficResult> {
  const live = rooms.map((room) => room.filter((conn) => conn.open)).filter((room) => room.length > 0);
  if (live.length === 0) throw new Error('no open connections');
  const t0 = nowMs();
  const sendEnd = t0 + req.durationMs;
  const current: Run = {
    windowStart: t0 + req.durationMs * req.warmupFraction,
    windowEnd: sendEnd,
    deliveries: 0,
    windowDeliveries: 0,
    histogram: new Histogram(),
    errors: {},
    closed: 0,
  };
  run = current;
  const padding = 'x'.repeat(Math.max(0, req.padding));
  let sent = 0;
  let skipped = 0;
  let expected = 0;
  let seq = 0;
  const cpuBefore = process.cpuUsage();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = nowMs();
      const due = Math.floor(((Math.min(now, sendEnd) - t0) / 1000) * req.rate);
      while (seq < due) {
        const room = live[seq % live.length];
        const sender = room[Math.floor(seq / live.length) % room.length];
        seq++;
        if (!sender.open || sender.backlog() > BACKLOG_CAP_BYTES) {
          skipped++;
          continue;
        }
        sender.sendChat(`b|${nowMs().toFixed(3)}|${seq}|${padding}`);
        sent++;
        expected += room.length;
      }
      if (now >= sendEnd) {
        clearInterval(timer);
        resolve();
      }
    }, SEND_TICK_MS);
  });
  const cpu = process.cpuUsage(cpuBefore);
  // Drain: wait for the deliveries still in flight, stopping early once nothing arrives any more.
  const drainEnd = nowMs() + req.drainMs;
  let lastCount = -1;
  let lastProgress = nowMs();
  while (current.deliveries < expected && nowMs() < drainEnd) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (current.deliveries !== lastCount) {
      lastCount = current.deliveries;
      lastProgress = nowMs();
    } else if (nowMs() - lastProgress > 1500) {
      break;
    }
  }
  run = undefined;
  const windowS = (current.windowEnd - current.windowStart) / 1000;
  const roomSize = expected > 0 && sent > 0 ? expected / sent : 1;
  const deliveriesPerS = current.windowDeliveries / windowS;
  return {
    offeredMsgsPerS: req.rate,
    sent,
    skipped,
    expectedDeliveries: expected,
    deliveries: current.deliveries,
    deliveriesPerS: round(deliveriesPerS),
    msgsPerS: round(deliveriesPerS / roomSize),
    latencyMs: current.histogram.summary(),
    elapsedMs: round(nowMs() - t0),
    loadgenCpu: round((cpu.user + cpu.system) / 1000 / req.durationMs),
    errorFrames: current.errors,
    closedDuringRun: current.closed,
  };
}

async function closeAll(params: { timeoutMs?: number }): Promise<{ closed: number }> {
  const all = conns;
  conns = [];
  rooms = [];
  for (const conn of all) if (conn.open) conn.close();
  const deadline = Date.now() + (params.timeoutMs ?? 5000);
  while (all.some((conn) => conn.open) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const conn of all) if (conn.open) conn.terminate();
  return { closed: all.length };
}

function armNotifications(): { armed: number } {
  notificationRun = { seen: new Set(), firstAt: NaN, lastAt: NaN };
  return { armed: conns.filter((conn) => conn.open).length };
}

async function waitNotifications(params: { timeoutMs: number }): Promise<NotificationWaitResult> {
  const current = notificationRun;
  if (!current) throw new Error('armNotifications first');
  const expected = conns.filter((conn) => conn.open).length;
  if (current.seen.size < expected) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, params.timeoutMs);
      current.done = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  notificationRun = undefined;
  return { expected, received: current.seen.size, firstAt: current.firstAt, lastAt: current.lastAt };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

serveRpc({
  connect,
  traffic,
  closeAll,
  armNotifications,
  waitNotifications,
  status: () => ({ open: conns.filter((conn) => conn.open).length, total: conns.length }),
});

process.on('disconnect', () => process.exit(0));
