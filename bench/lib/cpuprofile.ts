/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`, see `npm run bench -- --profile`): the
 * functions with the most self time. Run alone: `npx tsx bench/lib/cpuprofile.ts <file>... [n]`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  function: string;
  location: string;
  selfMs: number;
  /** Share of the busy (non-idle) samples. */
  percent: number;
}

/** Self time per function, summed over one or more profiles (e.g. one per server restart). */
export function topFunctions(files: string | string[], count = 20): HotFunction[] {
  const selfUs = new Map<string, { fn: string; location: string; us: number }>();
  let busyUs = 0;
  for (const file of Array.isArray(files) ? files : [files]) {
    busyUs += accumulate(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, selfUs);
  }
  return [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, count)
    .map((entry) => ({
      function: entry.fn,
      location: entry.location,
      selfMs: Math.round(entry.us / 100) / 10,
      percent: busyUs > 0 ? Math.round((entry.us / busyUs) * 1000) / 10 : 0,
    }));
}

function accumulate(profile: CpuProfile, selfUs: Map<string, { fn: string; location: string; us: number }>): number {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[i] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)') return;
    busyUs += delta;
    const { functionName, url, lineNumber } = node.callFrame;
    const location = url ? `${shorten(url)}:${lineNumber + 1}` : '';
    const key = `${functionName}@${location}`;
    const entry = selfUs.get(key) ?? { fn: functionName || '(anonymous)', location, us: 0 };
    entry.us += delta;
    selfUs.set(key, entry);
  });
  return busyUs;
}

function shorten(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '~/')
    .replace(/^.*\/dist\//, 'dist/');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const count = /^\d+$/.test(args[args.length - 1] ?? '') ? Number(args.pop()) : 25;
  if (args.length === 0) {
    process.stderr.write('usage: tsx bench/lib/cpuprofile.ts <file.cpuprofile>... [count]\n');
    process.exit(2);
  }
  for (const hot of topFunctions(args, count)) {
    process.stdout.write(
      `${hot.percent.toFixed(1).padStart(5)}%  ${hot.selfMs.toFixed(1).padStart(9)} ms  ${hot.function}  ${hot.location}\n`,
    );
  }
}
