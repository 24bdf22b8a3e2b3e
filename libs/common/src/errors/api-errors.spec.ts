import { errorResponses } from './api-errors';
import { HTTP_STATUS_OF } from './http-status';

describe('errorResponses (what @ApiErrors documents)', () => {
  it('gives each kind the status HTTP_STATUS_OF answers it with, answering ErrorBody', () => {
    const responses = errorResponses({ not_found: 'no such thing', not_allowed: 'not yours' });

    expect([...responses.keys()]).toEqual([HTTP_STATUS_OF.not_found, HTTP_STATUS_OF.not_allowed]);
    expect(responses.get(404)).toEqual({
      description: 'no such thing',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
    });
  });

  it('joins the cases of kinds that share a status (conflict and closed are both 409)', () => {
    const responses = errorResponses({ conflict: 'a concurrent change won', closed: 'the chat has ended' });

    expect(responses.size).toBe(1);
    expect(responses.get(409)?.description).toBe('a concurrent change won; the chat has ended');
  });

  it('says Retry-After where the filter sends it: 429 and 503 only', () => {
    const responses = errorResponses({ rate_limited: 'too fast', unavailable: 'down', invalid: 'bad' });

    expect(responses.get(429)?.headers).toHaveProperty('Retry-After');
    expect(responses.get(503)?.headers).toHaveProperty('Retry-After');
    expect(responses.get(400)?.headers).toBeUndefined();
  });
});
