import { ArgumentsHost, ForbiddenException, NotFoundException } from '@nestjs/common';
import * as domain from '@numerai/common';
import { captureLogs, CapturedLogs } from '@numerai/logging';
import { HttpExceptionFilter } from './http-exception.filter';

let logs: CapturedLogs;

/** What the filter writes: status, headers and the JSON body, as express would send them. */
function answer(exception: unknown) {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const response = {
    setHeader: (name: string, value: string) => (sent.headers[name] = value),
    status: (status: number) => {
      sent.status = status;
      return response;
    },
    json: (body: unknown) => (sent.body = body),
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new HttpExceptionFilter(logs.loggers).catch(exception, host);
  return sent;
}

describe('HttpExceptionFilter', () => {
  beforeEach(() => {
    logs = captureLogs();
  });

  it.each([
    [new domain.InvalidError('use at most one of before, before_seq, after_seq'), 400, 'Bad Request'],
    [new domain.UnauthenticatedError('Invalid email or password'), 401, 'Unauthorized'],
    [new domain.NotAllowedError('This account is blocked'), 403, 'Forbidden'],
    [new domain.NotFoundError('Consultation not found'), 404, 'Not Found'],
    [new domain.ConflictError('email is already registered'), 409, 'Conflict'],
    [new domain.ClosedError('This consultation has ended'), 409, 'Conflict'],
  ])('answers %p with %i and rest.md’s body, unlogged', (error, status, name) => {
    expect(answer(error)).toEqual({
      status,
      headers: {},
      body: { statusCode: status, error: name, message: error.message },
    });
    expect(logs.lines).toEqual([]);
  });

  it('keeps a list of problems a list, as the validation pipe answers', () => {
    expect(answer(new domain.InvalidError(['birth_date must not be in the future'])).body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: ['birth_date must not be in the future'],
    });
  });

  it('says when to come back: 429 and 503 carry Retry-After', () => {
    const limited = answer(new domain.RateLimitedError('Slow down', 1500));
    expect(limited.status).toBe(429);
    expect(limited.headers['Retry-After']).toBe('2');
    const unavailable = answer(new domain.UnavailableError('Retry shortly'));
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers['Retry-After']).toBe('1');
  });

  it('keeps Nest’s own exceptions (guards, pipes, routing) as they were', () => {
    expect(answer(new ForbiddenException('Not allowed')).body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'Not allowed',
    });
    expect(answer(new NotFoundException('Cannot GET /nowhere')).status).toBe(404);
  });

  it('a database that is not serving is a 503 to retry, never a 404 or 401', () => {
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(answer(outage)).toEqual({
      status: 503,
      headers: { 'Retry-After': '1' },
      body: {
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'The database is unavailable right now; retry shortly',
      },
    });
    expect(logs.lines).toHaveLength(1);
  });

  it('anything else is logged and a bare 500 that reveals nothing', () => {
    expect(answer(new TypeError('secret detail')).body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error',
    });
    expect(logs.lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({
        level: 'error',
        context: 'HttpExceptionFilter',
        msg: 'secret detail',
        err: expect.objectContaining({ type: 'TypeError' }),
      }),
    ]);
  });
});
