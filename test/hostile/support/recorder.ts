import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * What the hostile suites tried and saw, one row per attack, written as JSON under
 * test-artifacts/reliability/ for `npm run reliability` to render into docs/reliability.md.
 * A row is recorded with what was *observed* before the test asserts on it, so a failing
 * property shows up in the table as "seen: …, ok: false" rather than vanishing.
 */
export interface ReliabilityRow {
  /** The row: fuzz, authorization, slow consumers, floods, secrets. */
  area: string;
  /** What was done, in a few words. */
  attack: string;
  /** How many frames, requests, connections or cases were tried. */
  tried: number;
  expected: string;
  seen: string;
  ok: boolean;
}

export const ARTIFACT_DIR = resolve(__dirname, '..', '..', '..', 'test-artifacts', 'reliability');

/** HOSTILE_FULL=1 selects the slower tier (more frames, longer floods); CI runs the fast one. */
export const FULL_TIER = process.env.HOSTILE_FULL === '1';

export class ReliabilityRecorder {
  private readonly rows: ReliabilityRow[] = [];
  private readonly facts: Record<string, unknown> = {};

  constructor(private readonly suite: string) {}

  record(row: ReliabilityRow): void {
    this.rows.push(row);
  }

  /** Extra figures for the report (seeds, memory, timings). */
  note(key: string, value: unknown): void {
    this.facts[key] = value;
  }

  /** Called from afterAll: one file per suite and database engine, overwritten by each run. */
  write(): void {
    mkdirSync(ARTIFACT_DIR, { recursive: true });
    const engine = process.env.DATABASE_URL ? 'postgres' : 'sqlite';
    const file = join(ARTIFACT_DIR, `${this.suite}.${engine}.${FULL_TIER ? 'full' : 'fast'}.json`);
    const body = {
      suite: this.suite,
      tier: FULL_TIER ? 'full' : 'fast',
      engine,
      finished_at: new Date().toISOString(),
      facts: this.facts,
      rows: this.rows,
    };
    writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  }
}
