/**
 * A unit of scheduled work. `run()` looks at the database for what is due at the clock's
 * "now" and does it; it must be safe to run twice at once and again after a crash, because
 * exactly-once comes from the database (DeliveryLedger), not from the engine that runs it.
 * Being state-driven is also what makes it durable: work that fell due while every
 * instance was down is simply found due on the first run after start-up.
 */
export interface ScheduledJob {
  /** Stable name: the BullMQ job scheduler id. */
  readonly name: string;
  /**
   * How often it runs, when SCHEDULER_TICK_MS (made for notifications, where being late by a
   * tick is fine) is too slow: e.g. a clock that must end things to the second.
   */
  readonly everyMs?: number;
  run(): Promise<void>;
}
