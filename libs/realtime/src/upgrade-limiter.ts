/**
 * Fixed-window count of upgrade attempts per client IP. Checked before any token is
 * verified, so a flood of unauthenticated upgrades costs one Map lookup each.
 */
export class UpgradeLimiter {
  private window = new Map<string, number>();
  private windowStartedAt = Date.now();

  constructor(
    private readonly perMinute: number,
    private readonly windowMs = 60_000,
  ) {}

  allow(ip: string, now = Date.now()): boolean {
    if (now - this.windowStartedAt >= this.windowMs) {
      // Dropping the whole map each window bounds memory by the number of IPs seen in one window.
      this.window = new Map();
      this.windowStartedAt = now;
    }
    const count = (this.window.get(ip) ?? 0) + 1;
    this.window.set(ip, count);
    return count <= this.perMinute;
  }
}
