/**
 * Tells a BullMQ worker that stopped fetching from one that is busy or between jobs, without
 * reading any clock (the instances' clocks need not agree, and a job's timestamp is the clock
 * of whichever instance added it).
 *
 * Why: after every node of a Redis Cluster restarts, the worker's blocking connection can be
 * left waiting on a command that never settles (BullMQ's own watchdog then waits on a
 * reconnect that never completes). The worker looks alive, jobs pile up in `wait`, and no
 * tick runs on this instance again. An idle worker that is fetching takes a waiting job at
 * once (the job's marker wakes its BZPOPMIN), or at the latest when that block times out
 * (BullMQ caps it at 10 s). So the same job seen waiting at `checks` self-checks in a row (5 s
 * apart), while this worker started nothing, means the worker is stuck.
 */
export class StalledWorkerDetector {
  /** Waiting job id → self-checks in a row that saw it waiting while this worker was idle. */
  private seen = new Map<string, number>();

  constructor(private readonly checks: number) {}

  /**
   * One self-check. `waiting`: ids of jobs in `wait` now; `workerActive`: this worker is
   * running a job or started one since the last check. True when the worker is stuck.
   */
  observe(waiting: readonly string[], workerActive: boolean): boolean {
    if (workerActive) {
      this.seen.clear();
      return false;
    }
    const next = new Map<string, number>();
    for (const id of waiting) next.set(id, (this.seen.get(id) ?? 0) + 1);
    this.seen = next;
    return [...next.values()].some((times) => times >= this.checks);
  }

  /** After the worker was replaced: start counting afresh. */
  reset(): void {
    this.seen.clear();
  }
}
