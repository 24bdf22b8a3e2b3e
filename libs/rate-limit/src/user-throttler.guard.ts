import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import type { AuthenticatedRequest } from '@numerai/common';
import { AUTH_ATTEMPTS, budgetKey, userTracker } from './rate-limit.constants';

/**
 * The stock guard keys by IP and by handler; ours keys by user id and ignores the
 * handler, so one budget covers every route and every WebSocket frame of that user.
 */
@Injectable()
export class UserThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = (req as AuthenticatedRequest).principal;
    return principal ? userTracker(principal.id) : `ip:${String(req.ip)}`;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return budgetKey(throttlerName, tracker);
  }

  /**
   * The stock guard names the header after the throttler (`Retry-After-user`); clients and
   * rest.md expect the standard `Retry-After`, in whole seconds.
   */
  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    if (context.getType() === 'http') {
      const { res } = this.getRequestResponse(context);
      this.setResponseHeader(res, 'Retry-After', retryAfterSeconds(detail));
    }
    return super.throwThrottlingException(context, detail);
  }

  /** What was limited and when to come back, rather than the stock `ThrottlerException: Too Many Requests`. */
  protected override async getErrorMessage(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<string> {
    const retry = `retry after ${retryAfterSeconds(detail)} s`;
    if (!detail.key.startsWith(`${AUTH_ATTEMPTS}:`)) return `Too many requests; ${retry}`;
    // The credential budget: per address before login, per user on the routes that check a password.
    return detail.tracker.startsWith('ip:')
      ? `Too many login attempts; ${retry}`
      : `Too many password attempts; ${retry}`;
  }
}

function retryAfterSeconds(detail: ThrottlerLimitDetail): number {
  return Math.max(1, Math.ceil(detail.timeToBlockExpire));
}
