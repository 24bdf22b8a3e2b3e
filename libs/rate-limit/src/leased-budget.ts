import type { ContextLogger } from '@numerai/logging';
import type { BudgetLeaseStore, LeaseGrant } from './budget-lease-store';

/** Most units an instance takes ahead of demand for one key: the slack an idle instance can sit on. */
export const MAX_LEASE = 8;
/** Most units one request to the store asks for on behalf of callers already waiting. */
const MAX_NEED = 64;
/** A lease nobody spent from for this long is given back, so other instances can use it. */
export const LEASE_IDLE_MS = 1000;
/** A refused key is refused locally for at most this long before the store is asked again. */
const RECHECK_MS = 1000;
/** The span over which a key's recent rate (and so its next lease) is measured. */
const RATE_SPAN_MS = 1000;

export type LeaseDecision =
  { allowed: true; remaining: number; resetMs: number } | { allowed: false; retryAfterMs: number };

interface Waiter {
  resolve(decision: LeaseDecision): void;
  reject(error: unknown): void;
}

interface KeyState {
  limit: number;
  windowMs: number;
  /** Units this instance holds and may spend without asking the store. */
  units: number;
  windowId?: string;
  /** Local monotonic time the held units stop being spendable: their window has ended. */
  validUntil: number;
  /** Unheld units of the window at the last answer: only for the Remaining header. */
  left: number;
  deniedUntil: number;
  lastSpendAt: number;
  /** Spends in the current and the previous RATE_SPAN_MS: the key's recent rate here. */
  spendsNow: number;
  spendsBefore: number;
  spanStart: number;
  queue: Waiter[];
  asking: boolean;
}

/**
 * One instance's side of a budget shared through a BudgetLeaseStore. A caller spends from
 * units this instance already holds (no round trip); when there are none, the callers
 * waiting at that moment share one request to the store, which also takes up to
 * MAX_LEASE units ahead of demand, sized by the key's recent rate here. Unspent units go
 * back after LEASE_IDLE_MS without a spend, and at shutdown; units of an ended window are
 * simply dropped (the window, and everything counted in it, expires in the store).
 *
 * The store counts every unit it hands out, spent or not, and never hands out more than
 * the limit per window, so the units accepted in one window never exceed the limit on any
 * number of instances, even when an instance dies holding a lease. Units taken ahead of
 * demand are only handed out from the first half of a window's budget (the store keeps
 * `reserve` = half the limit for demand), so at most (instances − 1) × MAX_LEASE units can
 * sit idle on other instances while one instance is refused, and only until the sweeper
 * gives them back (LEASE_IDLE_MS to 1.5 × LEASE_IDLE_MS after their last spend).
 */
export class LeasedBudget {
  private readonly keys = new Map<string, KeyState>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly store: BudgetLeaseStore,
    private readonly logger: ContextLogger,
    private readonly clock: () => number = () => performance.now(),
  ) {
    // Unref'd: it never keeps the process alive; shutdown gives leases back through releaseAll().
    this.sweeper = setInterval(() => void this.releaseIdle(), LEASE_IDLE_MS / 2);
    this.sweeper.unref();
  }

  /** Spends one unit of `key`; rejects when the store failed (the caller then counts locally). */
  spend(key: string, limit: number, windowMs: number): Promise<LeaseDecision> {
    const now = this.clock();
    const state = this.stateOf(key, limit, windowMs);
    this.countSpend(state, now);
    if (state.deniedUntil > now) return Promise.resolve({ allowed: false, retryAfterMs: state.deniedUntil - now });
    if (this.takeHeld(state, now)) return Promise.resolve(this.allowed(state, now));
    return new Promise((resolve, reject) => {
      state.queue.push({ resolve, reject });
      if (!state.asking) void this.ask(key, state);
    });
  }

  /** Gives back every lease idle for LEASE_IDLE_MS, and forgets keys nobody uses. */
  async releaseIdle(now = this.clock()): Promise<void> {
    const idle = [...this.keys].filter(([, state]) => !state.asking && now - state.lastSpendAt >= LEASE_IDLE_MS);
    await Promise.all(
      idle.map(async ([key, state]) => {
        if (state.deniedUntil <= now) this.keys.delete(key);
        await this.giveBack(key, state, now);
      }),
    );
  }

  /** At shutdown: every unspent unit goes back to the store for the other instances. */
  async releaseAll(): Promise<void> {
    clearInterval(this.sweeper);
    const now = this.clock();
    await Promise.all([...this.keys].map(([key, state]) => this.giveBack(key, state, now)));
    this.keys.clear();
  }

  /** Units held here for `key` right now (tests, and the reasoning in the README). */
  held(key: string): number {
    return this.keys.get(key)?.units ?? 0;
  }

  private stateOf(key: string, limit: number, windowMs: number): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = {
        limit,
        windowMs,
        units: 0,
        validUntil: 0,
        left: limit,
        deniedUntil: 0,
        lastSpendAt: 0,
        spendsNow: 0,
        spendsBefore: 0,
        spanStart: this.clock(),
        queue: [],
        asking: false,
      };
      this.keys.set(key, state);
    }
    state.limit = limit;
    state.windowMs = windowMs;
    return state;
  }

  private countSpend(state: KeyState, now: number): void {
    state.lastSpendAt = now;
    if (now - state.spanStart >= RATE_SPAN_MS) {
      state.spendsBefore = now - state.spanStart >= 2 * RATE_SPAN_MS ? 0 : state.spendsNow;
      state.spendsNow = 0;
      state.spanStart = now;
    }
    state.spendsNow++;
  }

  private takeHeld(state: KeyState, now: number): boolean {
    if (now >= state.validUntil) state.units = 0; // the window ended, and its units with it
    if (state.units <= 0) return false;
    state.units--;
    return true;
  }

  /** One request to the store on behalf of everyone queued; repeats while callers are left and budget is. */
  private async ask(key: string, state: KeyState): Promise<void> {
    state.asking = true;
    try {
      while (state.queue.length > 0) {
        const need = Math.min(state.queue.length, MAX_NEED);
        const extra = Math.min(MAX_LEASE, state.spendsNow + state.spendsBefore);
        const sentAt = this.clock();
        let grant: LeaseGrant;
        try {
          grant = await this.store.acquire(key, {
            need,
            extra,
            limit: state.limit,
            windowMs: state.windowMs,
            reserve: Math.ceil(state.limit / 2),
          });
        } catch (error) {
          for (const waiter of state.queue.splice(0)) waiter.reject(error);
          return;
        }
        this.hold(state, grant, sentAt);
        const now = this.clock();
        while (state.queue.length > 0 && this.takeHeld(state, now)) {
          state.queue.shift()!.resolve(this.allowed(state, now));
        }
        if (state.queue.length > 0 && (grant.left === 0 || grant.granted === 0)) {
          // Spent or leased out everywhere: refuse here without asking again for a while.
          const retryAfterMs = Math.max(1, grant.windowTtlMs);
          state.deniedUntil = now + Math.min(retryAfterMs, RECHECK_MS);
          for (const waiter of state.queue.splice(0)) waiter.resolve({ allowed: false, retryAfterMs });
        }
      }
    } finally {
      state.asking = false;
    }
  }

  private allowed(state: KeyState, now: number): LeaseDecision {
    return { allowed: true, remaining: state.left + state.units, resetMs: Math.max(0, state.validUntil - now) };
  }

  private hold(state: KeyState, grant: LeaseGrant, sentAt: number): void {
    if (grant.windowId !== state.windowId) state.units = 0; // a new window: the old one's units are gone
    state.windowId = grant.windowId;
    state.units += grant.granted;
    state.left = grant.left;
    // From the moment the request left, so the units are never spent after the store's window ended.
    state.validUntil = sentAt + grant.windowTtlMs;
  }

  private async giveBack(key: string, state: KeyState, now: number): Promise<void> {
    const units = now < state.validUntil ? state.units : 0;
    state.units = 0;
    if (units <= 0 || !state.windowId) return;
    try {
      await this.store.release(key, state.windowId, units);
    } catch (error) {
      // Lost units only make the budget smaller until the window ends; never larger.
      this.logger.debug(`lease of ${units} not given back: ${String(error)}`);
    }
  }
}
