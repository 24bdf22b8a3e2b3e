import { Injectable } from '@nestjs/common';
import { generateRequestDetails } from 'web-push';
import { AppConfig } from '@numerai/config';
import type { PushSubscriptionEntity } from '@numerai/database';
import { Clock } from '@numerai/scheduler';
import { retryAfterMs } from './retry-after';

/** How the push service answered. */
export type PushOutcome =
  | { kind: 'delivered' }
  /** 404/410: the subscription is gone for good. */
  | { kind: 'gone'; status: number }
  /** 429, 5xx, or no answer: try again (after `afterMs` when the service said). */
  | { kind: 'retry'; status?: number; afterMs?: number }
  /** Any other answer (400, 403, 413…): sending it again would not help. */
  | { kind: 'rejected'; status: number };

const SEND_TIMEOUT_MS = 10_000;
/** How long the push service keeps a message for an offline browser (RFC 8030 TTL). */
const TTL_SECONDS = 24 * 60 * 60;

/**
 * One push to one subscription: web-push encrypts (RFC 8291, aes128gcm) and signs the VAPID
 * JWT (RFC 8292); the request itself goes out with fetch, so the answer's status and
 * `Retry-After` are ours to read (and a loopback http endpoint works in development).
 */
@Injectable()
export class PushSender {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async send(subscription: PushSubscriptionEntity, payload: string): Promise<PushOutcome> {
    const { vapid } = this.config.push;
    const request = generateRequestDetails(
      { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
      payload,
      { vapidDetails: vapid, TTL: TTL_SECONDS, contentEncoding: 'aes128gcm' },
    );
    let response: Response;
    try {
      response = await fetch(request.endpoint, {
        method: 'POST',
        headers: request.headers,
        body: new Uint8Array(request.body),
        redirect: 'manual',
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      await response.arrayBuffer(); // drain, so the connection can be reused
    } catch {
      return { kind: 'retry' };
    }
    return classify(response.status, retryAfterMs(response.headers.get('retry-after'), this.clock.now().getTime()));
  }
}

function classify(status: number, afterMs: number | undefined): PushOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 404 || status === 410) return { kind: 'gone', status };
  if (status === 429 || status >= 500) return { kind: 'retry', status, afterMs };
  return { kind: 'rejected', status };
}
