/** What the shared store answers when an instance asks for units of a key's current window. */
export interface LeaseGrant {
  /** The window the units belong to; a return names it, so it never credits a later window. */
  windowId: string;
  granted: number;
  /** Units nobody holds yet after this grant (0: the window's budget is spent or leased out). */
  left: number;
  /** How long the window has left, by the store's own clock. */
  windowTtlMs: number;
}

export interface LeaseRequest {
  /** Units callers are waiting for now: granted first, as far as the budget goes. */
  need: number;
  /** Units taken ahead of demand, granted only while the window keeps `reserve` units nobody holds. */
  extra: number;
  limit: number;
  windowMs: number;
  reserve: number;
}

/**
 * A key's per-window budget in a store every instance shares. Each call is one atomic
 * step on the store (one round trip); implementations fail (reject) rather than wait
 * when the store is away, and the caller counts locally instead.
 */
export interface BudgetLeaseStore {
  acquire(key: string, request: LeaseRequest): Promise<LeaseGrant>;
  /** Gives back units not spent; a window that has ended or was replaced ignores it. */
  release(key: string, windowId: string, units: number): Promise<void>;
}
