import type { LookupFunction } from 'node:net';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PinnedEndpoint } from './endpoint-policy';

/** What the sender needs of the push service's answer: nothing of its body. */
export interface PushAnswer {
  status: number;
  retryAfter: string | null;
}

/**
 * POSTs one push and settles on the answer's status line and headers. The body is never read —
 * the socket is destroyed as soon as the headers are in — so however much a push service (or
 * whatever an endpoint points at) sends back costs nothing (issue 23: 201 + 200 MB bodies
 * took an instance from 183 to 1,466 MB). Headers are capped by Node (16 KB). The connection
 * goes to `target.address` whatever DNS says by now, and `timeoutMs` bounds connecting,
 * sending and waiting for the headers together.
 */
export function postForStatus(
  target: PinnedEndpoint,
  headers: OutgoingHttpHeaders,
  body: Buffer,
  timeoutMs: number,
): Promise<PushAnswer> {
  return new Promise((resolve, reject) => {
    const request = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      target.url,
      // No agent: a pooled socket would outlive the answer we cut short, and the pin is per request.
      { method: 'POST', headers, agent: false, lookup: pinnedLookup(target) },
      (res) => {
        clearTimeout(timer);
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : null });
        res.destroy();
      },
    );
    const timer = setTimeout(() => req.destroy(new Error('the push service did not answer in time')), timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

/** A `lookup` that answers the checked address, in either of the shapes net.connect asks for. */
function pinnedLookup({ address, family }: PinnedEndpoint): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}
