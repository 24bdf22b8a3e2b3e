import type { History } from './history';
import type { Instance } from './instances';
import type { PrivatePostgres } from './postgres';
import type { Proxy } from './proxy';
import type { Random } from './random';
import type { RunRedis } from './redis';

export const FAULT_KINDS = [
  'kill',
  'pause',
  'redis-restart',
  'postgres-restart',
  'partition-redis',
  'partition-postgres',
  'latency',
  'reset',
  'clock',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One planned fault: when it starts (ms after the run's start), for how long, and its seeded details. */
export interface Fault {
  kind: FaultKind;
  at: number;
  ms: number;
  inst: number;
  /** partitions and latency: which way(s); latency: ms; clock: offset s; redis: which node. */
  direction?: 'both' | 'up' | 'down';
  latencyMs?: number;
  offsetS?: number;
  node?: number;
  link?: 'postgres' | 'redis';
}

/**
 * The schedule, fixed before the run from the seed alone: `reps` of every kind, shuffled, one
 * starting every `spacing` ms between `from` and `until`. A fault lasts at most two spacings, so
 * at most two overlap; the executor skips instance faults that would leave no instance up.
 */
export function planFaults(random: Random, from: number, until: number, reps: number, redisNodes: number): Fault[] {
  const kinds = random.shuffle(FAULT_KINDS.flatMap((kind) => Array.from({ length: reps }, () => kind)));
  const spacing = (until - from) / kinds.length;
  const cap = (ms: number) => Math.min(ms, Math.floor(spacing * 2) - 500, until - from);
  return kinds.map((kind, i) => {
    const at = Math.round(from + i * spacing);
    const fault: Fault = { kind, at, ms: 0, inst: random.int(0, 2) };
    switch (kind) {
      case 'kill':
      case 'redis-restart':
      case 'postgres-restart':
        fault.ms = random.int(1000, 5000);
        fault.node = random.int(0, redisNodes - 1);
        break;
      case 'pause':
        fault.ms = cap(random.int(2000, 20_000));
        break;
      case 'partition-redis':
      case 'partition-postgres':
        fault.ms = cap(random.int(5000, 30_000));
        fault.direction = random.pick(['both', 'up', 'down'] as const);
        fault.node = redisNodes > 1 && random.chance(0.5) ? random.int(0, redisNodes - 1) : undefined;
        break;
      case 'latency':
        fault.ms = cap(random.int(10_000, 30_000));
        fault.latencyMs = random.int(50, 500);
        fault.link = random.pick(['postgres', 'redis'] as const);
        break;
      case 'reset':
        fault.link = random.pick(['postgres', 'redis'] as const);
        break;
      case 'clock':
        fault.ms = cap(random.int(10_000, 30_000));
        fault.offsetS = random.pick([-2, 2]);
        break;
    }
    return fault;
  });
}

/** Carries out the schedule against the run's processes and links, writing each fault into the history. */
export class Nemesis {
  private readonly active = new Set<Promise<void>>();
  /** Instances killed or paused right now: never all of them at once. */
  private readonly down = new Set<number>();
  private aborted = false;

  constructor(
    private readonly history: History,
    private readonly instances: Instance[],
    private readonly redis: RunRedis,
    private readonly postgres: PrivatePostgres,
    private readonly started: number,
  ) {}

  async run(faults: Fault[], now: () => number): Promise<void> {
    for (const fault of faults) {
      if (this.aborted) break;
      const wait = this.started + fault.at - now();
      if (wait > 0) await sleep(wait);
      if (this.aborted) break;
      const running = this.apply(fault).catch((error: Error) =>
        this.history.add({ type: 'nemesis', f: fault.kind, phase: 'error', err: error.message }),
      );
      const tracked = running.then(() => undefined);
      this.active.add(tracked);
      void tracked.finally(() => this.active.delete(tracked));
    }
    await Promise.all([...this.active]);
  }

  /** Stops planning; faults under way finish (each is bounded). */
  abort(): void {
    this.aborted = true;
  }

  /** Everything back to normal: links healed, clocks true, paused instances resumed, dead ones started. */
  async healAll(): Promise<void> {
    await Promise.all([...this.active]);
    for (const instance of this.instances) {
      for (const link of [instance.links.pg, ...instance.links.redis]) link.heal();
      instance.setClock(0);
      instance.resume();
      if (!instance.running) instance.start();
    }
    await Promise.all(this.instances.map((instance) => instance.waitHealthy(90_000)));
    this.history.add({ type: 'nemesis', f: 'heal-all', phase: 'end' });
  }

  private async apply(fault: Fault): Promise<void> {
    const instance = this.instances[fault.inst];
    const needsUp = fault.kind === 'kill' || fault.kind === 'pause';
    if (needsUp && (this.down.has(fault.inst) || this.down.size >= this.instances.length - 1)) {
      this.history.add({
        type: 'nemesis',
        f: fault.kind,
        phase: 'skipped',
        inst: instance.name,
        why: 'another instance is down',
      });
      return;
    }
    const mark = (phase: string, extra: Record<string, unknown> = {}) =>
      this.history.add({ type: 'nemesis', f: fault.kind, phase, inst: instance.name, ms: fault.ms, ...extra });
    switch (fault.kind) {
      case 'kill': {
        this.down.add(fault.inst);
        mark('start');
        await instance.kill();
        await sleep(fault.ms);
        instance.start();
        await instance.waitHealthy(90_000).finally(() => this.down.delete(fault.inst));
        mark('end');
        return;
      }
      case 'pause': {
        this.down.add(fault.inst);
        mark('start');
        instance.pause();
        await sleep(fault.ms);
        instance.resume();
        this.down.delete(fault.inst);
        mark('end');
        return;
      }
      case 'redis-restart': {
        const port = this.redis.ports[fault.node ?? 0];
        this.history.add({ type: 'nemesis', f: fault.kind, phase: 'start', node: port, ms: fault.ms });
        await this.redis.restartNode(port, fault.ms);
        this.history.add({ type: 'nemesis', f: fault.kind, phase: 'end', node: port });
        return;
      }
      case 'postgres-restart': {
        this.history.add({ type: 'nemesis', f: fault.kind, phase: 'start', ms: fault.ms });
        this.postgres.crash();
        await sleep(fault.ms);
        await this.postgres.restart();
        this.history.add({ type: 'nemesis', f: fault.kind, phase: 'end' });
        return;
      }
      case 'partition-redis':
      case 'partition-postgres': {
        const links = this.linksOf(instance, fault.kind === 'partition-redis' ? 'redis' : 'postgres', fault.node);
        mark('start', { direction: fault.direction, links: links.map((link) => link.name) });
        for (const link of links) link.partition(fault.direction ?? 'both');
        await sleep(fault.ms);
        for (const link of links) link.unblock();
        mark('end');
        return;
      }
      case 'latency': {
        const links = this.linksOf(instance, fault.link!, undefined);
        mark('start', { latency: fault.latencyMs, links: links.map((link) => link.name) });
        for (const link of links) link.latencyMs = fault.latencyMs!;
        await sleep(fault.ms);
        for (const link of links) link.latencyMs = 0;
        mark('end');
        return;
      }
      case 'reset': {
        const links = this.linksOf(instance, fault.link!, undefined);
        const count = links.reduce((sum, link) => sum + link.reset(), 0);
        mark('start', { links: links.map((link) => link.name), connections: count });
        mark('end');
        return;
      }
      case 'clock': {
        mark('start', { offset: fault.offsetS });
        instance.setClock(fault.offsetS!);
        await sleep(fault.ms);
        instance.setClock(0);
        mark('end');
        return;
      }
    }
  }

  private linksOf(instance: Instance, link: 'postgres' | 'redis', node: number | undefined): Proxy[] {
    if (link === 'postgres') return [instance.links.pg];
    return node === undefined ? instance.links.redis : [instance.links.redis[node]];
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
