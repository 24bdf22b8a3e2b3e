import { Injectable } from '@nestjs/common';
import { CloseCode } from '@numerai/protocol';
import { RequestBudget } from '@numerai/rate-limit';
import type { ClientConnection } from './client-connection';
import { ConnectionCloser } from './connection-closer';

/** After this many consecutive rate-limited frames the connection is closed with 4429. */
const SUSTAINED_ABUSE_FRAMES = 100;
/** How long a condemned connection's accepted frames may take to answer before it is closed regardless. */
const ABUSE_DRAIN_MS = 5000;

/** Process the frame; refuse it (`rate_limited`, retry later); or say nothing, the connection is being closed. */
export type FrameAllowance = 'allowed' | { retryAfterMs: number } | 'condemned';

/**
 * Every inbound frame spends the user's request budget, valid or not, so garbage floods
 * are limited too. A connection that keeps sending past its budget is closed.
 */
@Injectable()
export class FrameRateLimit {
  constructor(
    private readonly budget: RequestBudget,
    private readonly closer: ConnectionCloser,
  ) {}

  async spend(connection: ClientConnection): Promise<FrameAllowance> {
    const decision = await this.budget.spend(connection.userId);
    if (decision.allowed) {
      connection.refusedFrames = 0;
      return 'allowed';
    }
    if (++connection.refusedFrames >= SUSTAINED_ABUSE_FRAMES) {
      this.condemn(connection, decision.retryAfterMs);
      return 'condemned';
    }
    return { retryAfterMs: decision.retryAfterMs };
  }

  /**
   * Sustained abuse: stop processing this connection's frames, let the ones already
   * accepted answer (a stored message's acknowledgement included), then close with 4429,
   * saying when to come back: a final `rate_limited` error with `retry_after_ms`, and the
   * same in the close reason. Bounded: closed after ABUSE_DRAIN_MS whatever is pending.
   */
  private condemn(connection: ClientConnection, retryAfterMs: number): void {
    let closed = false;
    connection.closeWhenIdle = () => {
      if (closed) return;
      closed = true;
      clearTimeout(deadline);
      this.closer.close(
        connection,
        CloseCode.TooManyRequests,
        'rate_limited',
        `Rate limit exceeded repeatedly; retry after ${retryAfterMs} ms`,
        retryAfterMs,
      );
    };
    const deadline = setTimeout(() => connection.closeWhenIdle?.(), ABUSE_DRAIN_MS);
    deadline.unref();
  }
}
