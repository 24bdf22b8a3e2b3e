import { Injectable } from '@nestjs/common';
import { LoggerFactory } from '@numerai/logging';
import { realtimeMetrics } from '@numerai/metrics';
import type { ClientConnection } from './client-connection';
import { EndpointTable } from './endpoint-table';
import type { FrameResult } from './on-frame.decorator';
import { frameRef, parseFrame, peekFrame, RawFrame } from './frame-parser';
import { FrameRateLimit } from './frame-rate-limit';
import { validateFrame } from './frame-validation';
import { WsError } from './ws-error';
import { WsExceptionFilter } from './ws-exception-filter';

/**
 * Inbound frames: budget, parse, the endpoint's handler, validation, and the answer — a
 * returned frame or, through the exception filter, an `error` frame. Counts the work in
 * flight so shutdown can wait for it.
 */
@Injectable()
export class FrameDispatcher {
  private readonly exceptionFilter: WsExceptionFilter;
  private inFlight = 0;

  constructor(
    private readonly table: EndpointTable,
    private readonly rateLimit: FrameRateLimit,
    loggers: LoggerFactory,
  ) {
    this.exceptionFilter = new WsExceptionFilter(loggers.forContext('WsExceptionFilter'));
  }

  /** Work started and not yet answered, on every connection. */
  get pending(): number {
    return this.inFlight;
  }

  dispatch(connection: ClientConnection, data: Buffer, isBinary: boolean): void {
    connection.lastActivityMs = Date.now();
    // Condemned for abuse: it has been told (or will be, once drained); nothing more is processed.
    if (connection.closeWhenIdle) return;
    let frame: RawFrame | undefined;
    this.run(
      connection,
      async () => {
        const allowance = await this.rateLimit.spend(connection);
        if (allowance === 'condemned') return undefined;
        if (allowance !== 'allowed') {
          // Not processed, but the refusal still names the frame it answers (ref = its client_id).
          frame = peekFrame(data, isBinary);
          throw new WsError('rate_limited', 'Rate limit exceeded', { retry_after_ms: allowance.retryAfterMs });
        }
        frame = parseFrame(data, isBinary);
        const handler = this.table.of(connection).handlers.get(frame.type);
        if (!handler) throw new WsError('unknown_type', `Unknown frame type on the ${connection.endpoint} endpoint`);
        realtimeMetrics.frameIn(frame.type);
        const input = handler.dto ? validateFrame(handler.dto, frame) : frame;
        return handler.invoke(connection, input);
      },
      () => frameRef(frame),
    );
  }

  /**
   * Runs one unit of work for a connection, sends what it returns, and turns any
   * failure into an `error` frame — the one place unknown errors become `internal`.
   */
  run(
    connection: ClientConnection,
    work: () => FrameResult | Promise<FrameResult>,
    ref: (() => string | undefined) | undefined,
  ): void {
    this.inFlight++;
    connection.pendingFrames++;
    const answer = (send: () => void) => {
      this.inFlight--;
      send();
      if (--connection.pendingFrames === 0) connection.closeWhenIdle?.();
    };
    let result: FrameResult | Promise<FrameResult>;
    try {
      result = work();
    } catch (error) {
      answer(() => this.sendError(connection, error, ref?.()));
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (frame) => answer(() => frame && connection.send(frame)),
        (error: unknown) => answer(() => this.sendError(connection, error, ref?.())),
      );
      return;
    }
    answer(() => result && connection.send(result));
  }

  private sendError(connection: ClientConnection, error: unknown, ref: string | undefined): void {
    connection.send(this.exceptionFilter.catch(error, ref));
  }
}
