import { tokenLifetime } from './jwt';

/** setTimeout's ceiling (about 24.8 days); a longer token is renewed at that point instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Never renew sooner than this, whatever the clock says: a token that looks expired is renewed, not hammered. */
const MIN_DELAY_MS = 1000;

/**
 * Milliseconds until an access token should be renewed: at 80 % of its lifetime or 60 s before
 * it expires, whichever comes first — but never in its first half, so a very short token is not
 * renewed in a loop — less up to 10 % jitter so that tabs and devices do not renew together.
 * Null when the token has no readable `exp` (nothing to schedule).
 *
 * `fresh`: the token was issued just now (an answer of the refresh endpoint). Its remaining life
 * is then its whole lifetime (`exp - iat`, both the server's clock), so a device whose clock is
 * off still renews in time. Otherwise the device's clock is the only measure, bounded by the lifetime.
 */
export function renewalDelayMs(
  token: string | null | undefined,
  options: { fresh?: boolean; now?: number; random?: () => number } = {},
): number | null {
  const lifetime = tokenLifetime(token);
  if (!lifetime) return null;
  const nowSeconds = (options.now ?? Date.now()) / 1000;
  const total = lifetime.iat !== undefined ? lifetime.exp - lifetime.iat : lifetime.exp - nowSeconds;
  if (total <= 0) return MIN_DELAY_MS;
  const lead = Math.min(Math.max(0.2 * total, 60), 0.5 * total);
  const remaining = options.fresh ? total : Math.min(Math.max(lifetime.exp - nowSeconds, 0), total);
  const random = options.random ?? Math.random;
  const delayMs = (remaining - lead) * 1000 * (1 - 0.1 * random());
  return Math.min(Math.max(delayMs, MIN_DELAY_MS), MAX_TIMER_MS);
}

/**
 * One pending renewal: `schedule(token)` (re)arms the timer for that token, and `renew` runs
 * when it is due. Owned by whoever holds the token (a socket, or the React provider for all of its sockets).
 */
export class TokenRenewal {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly renew: () => void,
    private readonly random: () => number = Math.random,
  ) {}

  /** Arms the timer for `token`; a token without `exp` cancels it. */
  schedule(token: string | null | undefined, fresh = false): void {
    this.cancel();
    const delayMs = renewalDelayMs(token, { fresh, random: this.random });
    if (delayMs === null) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.renew();
    }, delayMs);
    // In Node a pending renewal must not keep the process alive on its own.
    (this.timer as { unref?: () => void }).unref?.();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** True while a renewal is scheduled. */
  get pending(): boolean {
    return this.timer !== undefined;
  }
}
