import 'reflect-metadata';
import {
  ClosedError,
  ConflictError,
  InvalidError,
  NotAllowedError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
} from '@numerai/common';
import { captureLogs } from '@numerai/logging';
import { WsError } from './ws-error';
import { WsExceptionFilter } from './ws-exception-filter';

describe('WsExceptionFilter', () => {
  let lines: string[];
  let filter: WsExceptionFilter;
  /** The records the filter logged so far, parsed. */
  const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  beforeEach(() => {
    const logs = captureLogs();
    lines = logs.lines;
    filter = new WsExceptionFilter(logs.loggers.forContext('WsExceptionFilter'));
  });

  it('keeps an expected error’s code, message, ref and retry hint', () => {
    expect(filter.catch(new WsError('rate_limited', 'Slow down', { retry_after_ms: 1500 }), 'c1')).toEqual({
      type: 'error',
      code: 'rate_limited',
      message: 'Slow down',
      ref: 'c1',
      retry_after_ms: 1500,
    });
    expect(logged()).toHaveLength(0);
  });

  it.each([
    [new NotFoundError('No such message in this consultation'), 'not_found'],
    [new NotAllowedError('You may not'), 'forbidden'],
    [new ClosedError('This consultation has ended; its chat is read-only'), 'consultation_closed'],
    [new InvalidError('message must contain at least one visible character'), 'validation_failed'],
    [new ConflictError('changed meanwhile'), 'validation_failed'],
    [new UnauthenticatedError('The token is invalid or expired'), 'unauthorized'],
    [new UnavailableError('Retry with the same client_id.'), 'internal'],
  ])('maps %p to the `%s` code with its own message, unlogged', (error, code) => {
    expect(filter.catch(error, 'r')).toEqual({ type: 'error', code, message: error.message, ref: 'r' });
    expect(logged()).toHaveLength(0);
  });

  it('joins the problems of an invalid request into one message', () => {
    expect(filter.catch(new InvalidError(['a is wrong', 'b is wrong']), undefined).message).toBe(
      'a is wrong; b is wrong',
    );
  });

  it('carries a rate-limited domain error’s retry hint', () => {
    expect(filter.catch(new RateLimitedError('Rate limit exceeded', 700), undefined)).toEqual({
      type: 'error',
      code: 'rate_limited',
      message: 'Rate limit exceeded',
      retry_after_ms: 700,
    });
  });

  it('turns anything else into a bare internal error and logs it', () => {
    const frame = filter.catch(new TypeError('secret detail: db password=hunter2'), undefined);
    expect(frame).toEqual({ type: 'error', code: 'internal', message: 'Internal server error' });
    expect(logged()).toHaveLength(1);
  });

  it('does not take a dependency failure for a domain answer (no not_found for a lost database)', () => {
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(filter.catch(outage, 'x')).toEqual({
      type: 'error',
      code: 'internal',
      message: 'Internal server error',
      ref: 'x',
    });
    expect(logged()).toEqual([
      expect.objectContaining({
        level: 'error',
        context: 'WsExceptionFilter',
        msg: outage.message,
        err: expect.objectContaining({ code: 'ECONNREFUSED' }),
      }),
    ]);
  });
});
