import { Injectable } from '@nestjs/common';
import { generateRequestDetails } from 'web-push';
import { AppConfig } from '@numerai/config';
import type { PushSubscriptionEntity } from './push-subscription.entity';
import { Clock } from '@numerai/scheduler';
import { EndpointRefused, PinnedEndpoint, PushEndpointPolicy } from './endpoint-policy';
import { postForStatus, PushAnswer } from './push-request';
import { retryAfterMs } from './retry-after';

/** How the push service answered. */
export type PushOutcome =
  | { kind: 'delivered' }
  /** 404/410: the subscription is gone for good. */
  | { kind: 'gone'; status: number }
  /** 429, 5xx, or no answer: try again (after `afterMs` when the service said). */
  | { kind: 'retry'; status?: number; afterMs?: number }
  /** Any other answer (400, 403, 413…): sending it again would not help. */
  | { kind: 'rejected'; status: number }
  /** Not sent: the endpoint policy refuses where it points (see PushEndpointPolicy). */
  | { kind: 'refused'; reason: string };

const SEND_TIMEOUT_MS = 10_000;
/** How long the push service keeps a message for an offline browser (RFC 8030 TTL). */
const TTL_SECONDS = 24 * 60 * 60;

/**
 * One push to one subscription: web-push encrypts (RFC 8291, aes128gcm) and signs the VAPID
 * JWT (RFC 8292); the request itself is ours (postForStatus), so it goes only where the
 * endpoint policy allows, to the address it checked, and reads the status and `Retry-After`
 * and nothing of the body.
 */
@Injectable()
export class PushSender {
  constructor(
    private readonly config: AppConfig,
    private readonly policy: PushEndpointPolicy,
    private readonly clock: Clock,
  ) {}

  async send(subscription: PushSubscriptionEntity, payload: string): Promise<PushOutcome> {
    let target: PinnedEndpoint;
    let answer: PushAnswer;
    try {
      target = await this.policy.resolve(subscription.endpoint);
      const request = generateRequestDetails(
        { endpoint: target.url.href, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
        payload,
        { vapidDetails: this.config.push.vapid, TTL: TTL_SECONDS, contentEncoding: 'aes128gcm' },
      );
      answer = await postForStatus(target, request.headers, request.body, SEND_TIMEOUT_MS);
    } catch (error) {
      // A name that does not resolve, a refused connection, no answer in time: retried.
      return error instanceof EndpointRefused ? { kind: 'refused', reason: error.message } : { kind: 'retry' };
    }
    return classify(answer.status, retryAfterMs(answer.retryAfter, this.clock.now().getTime()));
  }
}

function classify(status: number, afterMs: number | undefined): PushOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 404 || status === 410) return { kind: 'gone', status };
  if (status === 429 || status >= 500) return { kind: 'retry', status, afterMs };
  return { kind: 'rejected', status };
}
