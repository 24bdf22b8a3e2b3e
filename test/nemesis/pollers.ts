import type { History } from './history';
import type { Instance } from './instances';

/**
 * Asks every instance for /health once a second and samples its resident memory every five,
 * into the history: the checker judges them against the fault windows.
 */
export class Pollers {
  private stopped = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly history: History,
    private readonly instances: Instance[],
  ) {}

  start(): void {
    this.loops = this.instances.map((instance) => this.poll(instance));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async poll(instance: Instance): Promise<void> {
    for (let tick = 0; !this.stopped && tick < 1_000_000; tick++) {
      const started = Date.now();
      const { status, body } = await instance.health();
      this.history.add({
        type: 'health',
        inst: instance.name,
        status,
        body,
        ms: Date.now() - started,
        start: instance.starts,
      });
      if (tick % 5 === 0) {
        const rss = instance.rss();
        if (rss !== undefined) this.history.add({ type: 'mem', inst: instance.name, rss, start: instance.starts });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - started))));
    }
  }
}
