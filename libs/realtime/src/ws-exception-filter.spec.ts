import { Logger } from '@nestjs/common';
import { WsError } from './ws-error';
import { WsExceptionFilter } from './ws-exception-filter';

describe('WsExceptionFilter', () => {
  const logged: unknown[] = [];
  const filter = new WsExceptionFilter({ error: (e: unknown) => logged.push(e) } as unknown as Logger);

  it('keeps an expected error’s code, message, ref and retry hint', () => {
    expect(filter.catch(new WsError('rate_limited', 'Slow down', { retry_after_ms: 1500 }), 'c1')).toEqual({
      type: 'error',
      code: 'rate_limited',
      message: 'Slow down',
      ref: 'c1',
      retry_after_ms: 1500,
    });
    expect(logged).toHaveLength(0);
  });

  it('turns anything else into a bare internal error and logs it', () => {
    const frame = filter.catch(new TypeError('secret detail: db password=hunter2'), undefined);
    expect(frame).toEqual({ type: 'error', code: 'internal', message: 'Internal server error' });
    expect(logged).toHaveLength(1);
  });
});
