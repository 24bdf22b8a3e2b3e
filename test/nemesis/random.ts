/**
 * A seeded random stream (mulberry32): the same seed gives the same fault schedule and the same
 * workload choices, so a failing run can be replayed with `--seed`. Separate streams for the
 * nemesis and for the generator keep one from shifting the other.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A new stream derived from this seed and `salt`, independent of how much this one was used. */
  static derive(seed: number, salt: string): Random {
    let h = seed >>> 0;
    for (const char of salt) h = Math.imul(h ^ char.charCodeAt(0), 2654435761) >>> 0;
    return new Random(h);
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
