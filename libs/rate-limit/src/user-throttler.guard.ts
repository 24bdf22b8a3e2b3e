import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import type { AuthenticatedRequest } from '@numerai/common';
import { budgetKey, userTracker } from './rate-limit.constants';

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
      this.setResponseHeader(res, 'Retry-After', Math.max(1, Math.ceil(detail.timeToBlockExpire)));
    }
    return super.throwThrottlingException(context, detail);
  }
}
