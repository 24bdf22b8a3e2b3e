import { DomainError, type DomainErrorKind, RateLimitedError } from '@numerai/common';
import type { ContextLogger } from '@numerai/logging';
import { realtimeMetrics } from '@numerai/metrics';
import type { ErrorCode, ServerFrameMap } from '@numerai/protocol';
import { errorFrame, WsError } from './ws-error';

/**
 * The one table from domain errors to protocol error codes. The protocol has no `conflict`
 * code: a frame that contradicts the current state is one the client must not send as is.
 * `unavailable` is `internal` whose message tells the client what to do (e.g. resend).
 */
const CODE_OF: Record<DomainErrorKind, ErrorCode> = {
  invalid: 'validation_failed',
  unauthenticated: 'unauthorized',
  not_allowed: 'forbidden',
  not_found: 'not_found',
  conflict: 'validation_failed',
  closed: 'consultation_closed',
  rate_limited: 'rate_limited',
  unavailable: 'internal',
};

/**
 * The WebSocket side's exception filter: the one place a failed frame becomes an
 * `error` frame. Expected failures (the transport's own WsError, a service's DomainError)
 * keep their message; anything else is logged and answered as a bare `internal` that
 * reveals nothing. Never echoes the client's payload. (Nest's own WS filters never run:
 * frames bypass its rxjs pipeline.)
 */
export class WsExceptionFilter {
  /** `logger` is its owner's, with the context `WsExceptionFilter`. */
  constructor(private readonly logger: ContextLogger) {}

  catch(error: unknown, ref: string | undefined): ServerFrameMap['error'] {
    if (error instanceof WsError) {
      realtimeMetrics.error(error.code);
      return errorFrame(error.code, error.message, ref, error.extra);
    }
    if (error instanceof DomainError) {
      const code = CODE_OF[error.kind];
      realtimeMetrics.error(code);
      const extra = error instanceof RateLimitedError ? { retry_after_ms: error.retryAfterMs } : {};
      return errorFrame(code, error.message, ref, extra);
    }
    realtimeMetrics.error('internal');
    this.logger.error(error instanceof Error ? error : String(error));
    return errorFrame('internal', 'Internal server error', ref);
  }
}
