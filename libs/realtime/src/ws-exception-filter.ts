import { Logger } from '@nestjs/common';
import { realtimeMetrics } from '@numerai/metrics';
import type { ServerFrameMap } from '@numerai/protocol';
import { errorFrame, WsError } from './ws-error';

/**
 * The WebSocket side's exception filter: the one place a failed frame becomes an
 * `error` frame. Expected failures (WsError) keep their code and message; anything else
 * is logged and answered as a bare `internal` that reveals nothing. Never echoes the
 * client's payload. (Nest's own WS filters never run: frames bypass its rxjs pipeline.)
 */
export class WsExceptionFilter {
  constructor(private readonly logger = new Logger('WsExceptionFilter')) {}

  catch(error: unknown, ref: string | undefined): ServerFrameMap['error'] {
    if (error instanceof WsError) {
      realtimeMetrics.error(error.code);
      return errorFrame(error.code, error.message, ref, error.extra);
    }
    realtimeMetrics.error('internal');
    this.logger.error(error instanceof Error ? error : String(error));
    return errorFrame('internal', 'Internal server error', ref);
  }
}
