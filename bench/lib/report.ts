import { fmtBytes, fmtNumber, median, ratio } from './stats';

export const SCENARIOS = ['idle', 'connect_storm', 'fanout', 'dm', 'notification_burst'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface RunRecord {
  rep: number;
  ok: boolean;
  reason?: string;
  metrics: Record<string, number>;
  detail?: unknown;
}

export interface TargetScenario {
  status: 'ok' | 'unavailable' | 'skipped';
  reason?: string;
  /** Median over the successful repetitions of every metric. */
  median: Record<string, number>;
  runs: RunRecord[];
}

export type ScenarioResults = Record<ScenarioName, Record<string, TargetScenario>>;

export function emptyResults(): ScenarioResults {
  return { idle: {}, connect_storm: {}, fanout: {}, dm: {}, notification_burst: {} };
}

export function record(results: ScenarioResults, scenario: ScenarioName, target: string, run: RunRecord): void {
  const entry = (results[scenario][target] ??= { status: 'unavailable', median: {}, runs: [] });
  entry.runs.push(run);
}

export function skip(results: ScenarioResults, scenario: ScenarioName, target: string, reason: string): void {
  results[scenario][target] = { status: 'skipped', reason, median: {}, runs: [] };
}

/** Medians over the repetitions that succeeded; a target with none is `unavailable (first reason)`. */
export function summarize(results: ScenarioResults): void {
  for (const scenario of SCENARIOS) {
    for (const entry of Object.values(results[scenario])) {
      if (entry.status === 'skipped') continue;
      const ok = entry.runs.filter((run) => run.ok);
      if (ok.length === 0) {
        entry.status = 'unavailable';
        entry.reason = entry.runs.find((run) => run.reason)?.reason ?? entry.reason ?? 'no successful run';
        entry.median = {};
        continue;
      }
      entry.status = 'ok';
      delete entry.reason;
      const keys = new Set(ok.flatMap((run) => Object.keys(run.metrics)));
      entry.median = Object.fromEntries(
        [...keys].map((key) => [key, round(median(ok.map((run) => run.metrics[key])))]),
      );
    }
  }
}

function metric(results: ScenarioResults, scenario: ScenarioName, target: string, key: string): number | undefined {
  const entry = results[scenario][target];
  return entry?.status === 'ok' ? entry.median[key] : undefined;
}

/** What each ratio compares: numerai's metric over the baseline's, same scenario, same run. */
const RATIO_METRICS: Array<{ name: string; scenario: ScenarioName; key: string }> = [
  { name: 'idle_memory', scenario: 'idle', key: 'rss_per_conn_bytes' },
  { name: 'idle_heap', scenario: 'idle', key: 'heap_per_conn_bytes' },
  { name: 'fanout_throughput', scenario: 'fanout', key: 'saturation_deliveries_per_s' },
  { name: 'dm_throughput', scenario: 'dm', key: 'saturation_msgs_per_s' },
  { name: 'p99', scenario: 'fanout', key: 'p99_ms' },
  { name: 'p50', scenario: 'fanout', key: 'p50_ms' },
  { name: 'dm_p99', scenario: 'dm', key: 'p99_ms' },
  { name: 'connect_rate', scenario: 'connect_storm', key: 'connections_per_s' },
  { name: 'cpu_per_connection', scenario: 'connect_storm', key: 'cpu_us_per_connection' },
  { name: 'cpu_per_delivery', scenario: 'fanout', key: 'cpu_us_per_delivery' },
  { name: 'fanout_cpu_efficiency', scenario: 'fanout', key: 'deliveries_per_cpu_s' },
  { name: 'dm_cpu_efficiency', scenario: 'dm', key: 'msgs_per_cpu_s' },
  { name: 'dm_cpu_per_message', scenario: 'dm', key: 'cpu_us_per_msg' },
];

export function computeRatios(results: ScenarioResults, subject = 'numerai'): Record<string, number | null> {
  const ratios: Record<string, number | null> = {};
  for (const baseline of [
    { suffix: 'ws', target: 'ws' },
    { suffix: 'socketio', target: 'socketio' },
  ]) {
    for (const { name, scenario, key } of RATIO_METRICS) {
      ratios[`${name}_vs_${baseline.suffix}`] = ratio(
        metric(results, scenario, subject, key),
        metric(results, scenario, baseline.target, key),
      );
    }
  }
  return ratios;
}

export interface TargetCheck {
  name: string;
  description: string;
  value: number | null;
  met: boolean | null;
}

/** The targets of the issue, checked against this run. `met: null` when a side is unavailable. */
export function checkTargets(results: ScenarioResults, ratios: Record<string, number | null>): TargetCheck[] {
  const le = (value: number | null, bound: number) => (value === null ? null : value <= bound);
  const ge = (value: number | null, bound: number) => (value === null ? null : value >= bound);
  const dmRate = metric(results, 'dm', 'numerai', 'saturation_msgs_per_s') ?? null;
  const dmPerCpu = metric(results, 'dm', 'numerai', 'msgs_per_cpu_s') ?? null;
  const checks: TargetCheck[] = [
    {
      name: 'idle_memory_vs_ws',
      description: 'memory per idle connection ≤ 1.3x raw ws',
      value: ratios.idle_memory_vs_ws,
      met: le(ratios.idle_memory_vs_ws, 1.3),
    },
    {
      name: 'fanout_throughput_vs_ws',
      description: 'fan-out deliveries/s ≥ 0.8x raw ws',
      value: ratios.fanout_throughput_vs_ws,
      met: ge(ratios.fanout_throughput_vs_ws, 0.8),
    },
    {
      name: 'dm_throughput_vs_ws',
      description: 'DM msgs/s (stored) ≥ 0.6x raw ws',
      value: ratios.dm_throughput_vs_ws,
      met: ge(ratios.dm_throughput_vs_ws, 0.6),
    },
    {
      name: 'dm_persisted_per_s',
      description: '≥ 10,000 persisted DM msgs/s on SQLite',
      value: dmRate,
      met: ge(dmRate, 10_000),
    },
    {
      name: 'p99_vs_ws',
      description: 'fan-out p99 ≤ 2x raw ws at the same load',
      value: ratios.p99_vs_ws,
      met: le(ratios.p99_vs_ws, 2),
    },
    {
      name: 'fanout_cpu_efficiency_vs_ws',
      description: '(CPU-normalised) fan-out deliveries per server CPU-second ≥ 0.8x raw ws',
      value: ratios.fanout_cpu_efficiency_vs_ws,
      met: ge(ratios.fanout_cpu_efficiency_vs_ws, 0.8),
    },
    {
      name: 'dm_cpu_efficiency_vs_ws',
      description: '(CPU-normalised) DM messages per server CPU-second ≥ 0.6x raw ws',
      value: ratios.dm_cpu_efficiency_vs_ws,
      met: ge(ratios.dm_cpu_efficiency_vs_ws, 0.6),
    },
    {
      name: 'dm_persisted_per_cpu_s',
      description: '(CPU-normalised) ≥ 10,000 stored DM messages per server CPU-second',
      value: dmPerCpu,
      met: ge(dmPerCpu, 10_000),
    },
  ];
  for (const [name, better] of [
    ['idle_memory', 'lower'],
    ['fanout_throughput', 'higher'],
    ['dm_throughput', 'higher'],
    ['p99', 'lower'],
    ['connect_rate', 'higher'],
    ['cpu_per_delivery', 'lower'],
  ] as const) {
    const value = ratios[`${name}_vs_socketio`];
    checks.push({
      name: `${name}_vs_socketio`,
      description: `ahead of Socket.IO: ${name.replace(/_/g, ' ')} ${better === 'lower' ? '< 1x' : '> 1x'}`,
      value,
      met: value === null ? null : better === 'lower' ? value < 1 : value > 1,
    });
  }
  return checks.map((check) => ({ ...check, met: check.met ?? null }));
}

interface Row {
  label: string;
  scenario: ScenarioName;
  key: string;
  format: (value: number) => string;
  ratio?: string;
  target?: string;
}

const ms = (value: number) => `${fmtNumber(value, value < 10 ? 2 : 1)} ms`;
const perS = (value: number) => `${fmtNumber(value)}/s`;
const us = (value: number) => `${fmtNumber(value, 2)} µs`;
const perCpuS = (value: number) => `${fmtNumber(value)}/cpu-s`;

const ROWS: Row[] = [
  {
    label: 'Idle: RSS per connection',
    scenario: 'idle',
    key: 'rss_per_conn_bytes',
    format: fmtBytes,
    ratio: 'idle_memory',
    target: '≤ 1.3x ws',
  },
  {
    label: 'Idle: heap per connection',
    scenario: 'idle',
    key: 'heap_per_conn_bytes',
    format: fmtBytes,
    ratio: 'idle_heap',
  },
  {
    label: 'Connect storm: connections/s (JWT)',
    scenario: 'connect_storm',
    key: 'connections_per_s',
    format: perS,
    ratio: 'connect_rate',
  },
  {
    label: 'Connect storm: server CPU per connection',
    scenario: 'connect_storm',
    key: 'cpu_us_per_connection',
    format: us,
    ratio: 'cpu_per_connection',
  },
  {
    label: 'Fan-out: deliveries/s at saturation',
    scenario: 'fanout',
    key: 'saturation_deliveries_per_s',
    format: perS,
    ratio: 'fanout_throughput',
    target: '≥ 0.8x ws',
  },
  { label: 'Fan-out: p50 latency', scenario: 'fanout', key: 'p50_ms', format: ms, ratio: 'p50' },
  { label: 'Fan-out: p99 latency', scenario: 'fanout', key: 'p99_ms', format: ms, ratio: 'p99', target: '≤ 2x ws' },
  {
    label: 'Fan-out: server CPU per delivery',
    scenario: 'fanout',
    key: 'cpu_us_per_delivery',
    format: us,
    ratio: 'cpu_per_delivery',
  },
  {
    label: 'Fan-out: deliveries per server CPU-second',
    scenario: 'fanout',
    key: 'deliveries_per_cpu_s',
    format: perCpuS,
    ratio: 'fanout_cpu_efficiency',
    target: '(≥ 0.8x ws)',
  },
  {
    label: 'DM: messages/s at saturation',
    scenario: 'dm',
    key: 'saturation_msgs_per_s',
    format: perS,
    ratio: 'dm_throughput',
    target: '≥ 0.6x ws, ≥ 10,000/s',
  },
  { label: 'DM: p50 latency', scenario: 'dm', key: 'p50_ms', format: ms },
  { label: 'DM: p99 latency', scenario: 'dm', key: 'p99_ms', format: ms, ratio: 'dm_p99' },
  {
    label: 'DM: server CPU per message',
    scenario: 'dm',
    key: 'cpu_us_per_msg',
    format: us,
    ratio: 'dm_cpu_per_message',
  },
  {
    label: 'DM: messages per server CPU-second',
    scenario: 'dm',
    key: 'msgs_per_cpu_s',
    format: perCpuS,
    ratio: 'dm_cpu_efficiency',
    target: '(≥ 0.6x ws, ≥ 10,000)',
  },
  { label: 'Notification burst: time to last', scenario: 'notification_burst', key: 'time_to_last_ms', format: ms },
];

const TARGET_LABELS: Record<string, string> = {
  numerai: 'NumerAI',
  'numerai-scaled': 'NumerAI scaled-out',
  ws: 'raw ws',
  socketio: 'Socket.IO',
};

export function markdownTable(
  results: ScenarioResults,
  ratios: Record<string, number | null>,
  targets: string[],
  notes: string[],
): string {
  const header = [
    'Metric',
    ...targets.map((target) => TARGET_LABELS[target] ?? target),
    'NumerAI ÷ ws',
    'NumerAI ÷ Socket.IO',
    'Target',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of ROWS) {
    const cells = targets.map((target) => {
      const entry = results[row.scenario][target];
      if (!entry) return '–';
      if (entry.status !== 'ok') return entry.status === 'skipped' ? 'skipped' : 'unavailable';
      const value = entry.median[row.key];
      return value === undefined || !Number.isFinite(value) ? '–' : row.format(value);
    });
    const fmtRatio = (name: string) => {
      const value = ratios[name];
      return value === null || value === undefined ? '–' : `${value.toFixed(2)}x`;
    };
    lines.push(
      `| ${row.label} | ${cells.join(' | ')} | ${row.ratio ? fmtRatio(`${row.ratio}_vs_ws`) : '–'} | ${
        row.ratio ? fmtRatio(`${row.ratio}_vs_socketio`) : '–'
      } | ${row.target ?? ''} |`,
    );
  }
  const unavailable: string[] = [];
  for (const scenario of Object.keys(results) as ScenarioName[]) {
    for (const [target, entry] of Object.entries(results[scenario])) {
      if (entry.status !== 'ok')
        unavailable.push(`- ${scenario} / ${target}: ${entry.status} (${entry.reason ?? 'no reason'})`);
    }
  }
  return [
    lines.join('\n'),
    ...(notes.length ? ['', ...notes.map((note) => `- ${note}`)] : []),
    ...(unavailable.length ? ['', ...unavailable] : []),
  ].join('\n');
}

function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 1000) / 1000;
}
