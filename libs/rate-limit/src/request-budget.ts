import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { AppConfig } from '@numerai/config';
import { budgetKey, USER_BUDGET, userTracker } from './rate-limit.constants';

export type BudgetDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/** Spends one unit of a user's shared REST + WebSocket budget from outside the HTTP guard (a WebSocket frame). */
@Injectable()
export class RequestBudget {
  constructor(
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
    private readonly config: AppConfig,
  ) {}

  async spend(userId: string): Promise<BudgetDecision> {
    const { perMinute, windowMs } = this.config.rateLimit;
    const record = await this.storage.increment(
      budgetKey(USER_BUDGET, userTracker(userId)),
      windowMs,
      perMinute,
      windowMs,
      USER_BUDGET,
    );
    if (!record.isBlocked) return { allowed: true };
    return { allowed: false, retryAfterMs: Math.max(1, record.timeToBlockExpire) * 1000 };
  }
}
