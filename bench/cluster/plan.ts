/**
 * Sizes of the cluster benchmark (bench/cluster/run-cluster.ts). `--quick` (CI) keeps it under
 * about two minutes on two cores: two instance counts, short fixed-rate phases, a short DM search.
 */
export type ClusterKind = 'numerai' | 'socketio-redis' | 'socketio-sharded' | 'socketio-storing';

export interface ClusterPlan {
  instanceCounts: number[];
  /** Instances of the bystander run: the first half hold the busy rooms, the rest hold none of them. */
  bystanderInstances: number;
  kinds: ClusterKind[];
  fanout: { rooms: number; perRoom: number; rate: number; durationMs: number };
  dm: {
    pairs: number;
    /** Fixed offered rate for p50/p99 and CPU per message (the same for every target). */
    rate: number;
    durationMs: number;
    /** Saturation search for stored messages/s. */
    startRate: number;
    factor: number;
    stepMs: number;
    maxSteps: number;
  };
  /** Idle connections each bystander instance holds (rooms of its own, never sent to). */
  bystanderConnections: number;
  padding: number;
}

/** A subset of the plan (bench options `--cluster-instances`, `--cluster-kinds`, `--no-bystander`). */
export interface ClusterOverrides {
  instanceCounts?: number[];
  kinds?: ClusterKind[];
  bystander?: boolean;
}

const KINDS: readonly ClusterKind[] = ['numerai', 'socketio-redis', 'socketio-sharded', 'socketio-storing'];

/** Parses a comma-separated list of cluster kinds, refusing an unknown one. */
export function clusterKinds(list: string): ClusterKind[] {
  const kinds = list.split(',').filter(Boolean);
  for (const kind of kinds) {
    if (!KINDS.includes(kind as ClusterKind)) throw new Error(`unknown cluster kind ${kind} (${KINDS.join(', ')})`);
  }
  return kinds as ClusterKind[];
}

export function clusterPlan(quick: boolean, overrides: ClusterOverrides = {}): ClusterPlan {
  return {
    instanceCounts: overrides.instanceCounts ?? (quick ? [1, 2] : [1, 2, 4]),
    // 0: no bystander run.
    bystanderInstances: overrides.bystander === false ? 0 : quick ? 3 : 4,
    kinds: overrides.kinds ?? (quick ? ['numerai', 'socketio-redis', 'socketio-storing'] : [...KINDS]),
    fanout: { rooms: 20, perRoom: 50, rate: quick ? 150 : 300, durationMs: quick ? 1500 : 5000 },
    dm: {
      pairs: quick ? 30 : 200,
      rate: quick ? 200 : 500,
      durationMs: quick ? 1500 : 5000,
      startRate: quick ? 500 : 500,
      factor: quick ? 2 : 1.5,
      stepMs: quick ? 600 : 2000,
      maxSteps: quick ? 3 : 10,
    },
    bystanderConnections: 20,
    padding: 64,
  };
}

/** Which scenarios a kind takes part in: the storing baseline is there for the DM rows. */
export function runsFanout(kind: ClusterKind): boolean {
  return kind !== 'socketio-storing';
}
