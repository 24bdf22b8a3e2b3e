/**
 * The cluster rows (bench/cluster/run-cluster.ts) as a Markdown table, and the issue 14 targets
 * checked against them. One row per metric and instance count, one column per target.
 */
import { fmtNumber } from '../lib/stats';
import type { ClusterKind, ClusterPlan } from './plan';
import type { ClusterRun, ClusterScenario } from './run-cluster';

export const KIND_TITLES: Record<ClusterKind, string> = {
  numerai: 'NumerAI (PG + Redis)',
  'socketio-redis': 'Socket.IO + Redis adapter',
  'socketio-sharded': 'Socket.IO + sharded adapter',
  'socketio-storing': 'Socket.IO + Redis + PG insert',
};

export interface ClusterCheck {
  description: string;
  met: boolean | null;
  value: string;
}

function metric(runs: ClusterRun[], kind: ClusterKind, n: number, scenario: ClusterScenario, key: string) {
  const run = runs.find((r) => r.kind === kind && r.instances === n && r.scenario === scenario);
  if (!run) return undefined;
  if (!run.ok) return null;
  const value = run.metrics[key];
  return Number.isFinite(value) ? value : undefined;
}

type Format = (value: number) => string;
const ms: Format = (value) => `${fmtNumber(value, value < 10 ? 2 : 1)} ms`;
const perCpu: Format = (value) => `${fmtNumber(value)}/cpu-s`;
const us: Format = (value) => `${fmtNumber(value, 2)} µs`;
const perS: Format = (value) => `${fmtNumber(value)}/s`;
const pct: Format = (value) => `${fmtNumber(value * 100, 1)} %`;

export function clusterTable(runs: ClusterRun[], plan: ClusterPlan): string {
  const kinds = plan.kinds;
  const rows: string[][] = [];
  const add = (title: string, scenario: ClusterScenario, key: string, format: Format, counts = plan.instanceCounts) => {
    for (const n of counts) {
      const cells = kinds.map((kind) => {
        const value = metric(runs, kind, n, scenario, key);
        return value === undefined ? '–' : value === null ? 'failed' : format(value);
      });
      rows.push([title, String(n), ...cells]);
    }
  };
  add('Fan-out: deliveries per cluster CPU-second', 'fanout', 'deliveries_per_cpu_s', perCpu);
  add('Fan-out: cluster CPU per delivery', 'fanout', 'cpu_us_per_delivery', us);
  add('Fan-out: p50 latency', 'fanout', 'p50_ms', ms);
  add('Fan-out: p99 latency', 'fanout', 'p99_ms', ms);
  add('DM: stored messages/s at saturation', 'dm', 'stored_msgs_per_s', perS);
  add('DM: messages/s at saturation (stored or not)', 'dm', 'saturation_msgs_per_s', perS);
  add('DM: messages per cluster CPU-second', 'dm', 'msgs_per_cpu_s', perCpu);
  add('DM: p50 latency', 'dm', 'p50_ms', ms);
  add('DM: p99 latency', 'dm', 'p99_ms', ms);
  add('Bystander CPU ÷ busy instance CPU', 'bystander', 'bystander_fraction', pct, [plan.bystanderInstances]);
  const header = ['row', 'instances', ...kinds.map((kind) => KIND_TITLES[kind])];
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i < 2 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The targets of issue 14, each met, missed, or not measurable (null) in this run. */
export function clusterChecks(runs: ClusterRun[], plan: ClusterPlan): ClusterCheck[] {
  const checks: ClusterCheck[] = [];
  const fraction = metric(runs, 'numerai', plan.bystanderInstances, 'bystander', 'bystander_fraction');
  checks.push({
    description: `NumerAI bystander CPU ≤ 5 % of a busy instance (${plan.bystanderInstances} instances)`,
    met: typeof fraction === 'number' ? fraction <= 0.05 : null,
    value: typeof fraction === 'number' ? pct(fraction) : 'n/a',
  });
  const most = Math.max(...plan.instanceCounts);
  const one = metric(runs, 'numerai', 1, 'fanout', 'cpu_us_per_delivery');
  const many = metric(runs, 'numerai', most, 'fanout', 'cpu_us_per_delivery');
  const growth = typeof one === 'number' && typeof many === 'number' ? many / one : undefined;
  checks.push({
    description: `NumerAI cluster CPU per delivery at ${most} instances ≤ 1.3x its value at 1`,
    met: growth === undefined ? null : growth <= 1.3,
    value: growth === undefined ? 'n/a' : `${growth.toFixed(2)}x (${us(one as number)} → ${us(many as number)})`,
  });
  for (const rival of ['socketio-redis', 'socketio-sharded'] as const) {
    if (!plan.kinds.includes(rival)) continue;
    for (const [key, label] of [
      ['cpu_us_per_delivery', 'CPU per delivery'],
      ['p99_ms', 'fan-out p99'],
    ] as const) {
      const pairs = plan.instanceCounts.map((n) => [
        n,
        metric(runs, 'numerai', n, 'fanout', key),
        metric(runs, rival, n, 'fanout', key),
      ]);
      const complete = pairs.every(([, a, b]) => typeof a === 'number' && typeof b === 'number');
      checks.push({
        description: `NumerAI ahead of ${KIND_TITLES[rival]} on ${label} at every instance count`,
        met: complete ? pairs.every(([, a, b]) => (a as number) < (b as number)) : null,
        value: pairs
          .map(
            ([n, a, b]) =>
              `×${n}: ${typeof a === 'number' ? a.toFixed(2) : '–'} vs ${typeof b === 'number' ? b.toFixed(2) : '–'}`,
          )
          .join('; '),
      });
    }
  }
  if (plan.kinds.includes('socketio-storing')) {
    const pairs = plan.instanceCounts.map((n) => [
      n,
      metric(runs, 'numerai', n, 'dm', 'stored_msgs_per_s'),
      metric(runs, 'socketio-storing', n, 'dm', 'stored_msgs_per_s'),
    ]);
    // A baseline that stored nothing is broken (e.g. its inserts were refused), not beaten.
    const complete = pairs.every(([, a, b]) => typeof a === 'number' && typeof b === 'number' && b > 0);
    checks.push({
      description: 'NumerAI ahead of the storing Socket.IO baseline on stored DMs/s at every instance count',
      met: complete ? pairs.every(([, a, b]) => (a as number) > (b as number)) : null,
      value: pairs
        .map(
          ([n, a, b]) =>
            `×${n}: ${typeof a === 'number' ? fmtNumber(a) : '–'} vs ${typeof b === 'number' ? fmtNumber(b) : '–'}`,
        )
        .join('; '),
    });
  }
  return checks;
}

export function clusterMarkdown(runs: ClusterRun[], plan: ClusterPlan, notes: string[]): string {
  const checks = clusterChecks(runs, plan);
  return [
    '## Scaled-out configuration (PostgreSQL + Redis)',
    '',
    clusterTable(runs, plan),
    '',
    ...notes.map((note) => `- ${note}`),
    '',
    'Targets (issue 14):',
    '',
    ...checks.map(
      (check) => `- ${check.met === null ? '…' : check.met ? '✅' : '❌'} ${check.description}: ${check.value}`,
    ),
    ...runs
      .filter((run) => !run.ok)
      .map((run) => `- failed: ${run.scenario} ${run.kind} ×${run.instances}: ${run.reason}`),
  ].join('\n');
}
