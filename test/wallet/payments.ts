import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import type { HttpResult } from '../support/http';

/** The endpoint secret the wallet suites configure; events signed with any other are forged. */
export const WEBHOOK_SECRET = 'whsec_test_wallet_suite_secret_0123456789';

/** A Stripe `payment_intent.succeeded` event topping `userId` up, as Stripe would post it. */
export function topUpEvent(userId: string, amount: number, options: { id?: string; currency?: string } = {}) {
  return {
    id: options.id ?? `evt_${randomBytes(12).toString('hex')}`,
    object: 'event',
    type: 'payment_intent.succeeded',
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: `pi_${randomBytes(12).toString('hex')}`,
        object: 'payment_intent',
        amount,
        amount_received: amount,
        currency: options.currency ?? 'usd',
        metadata: { user_id: userId },
      },
    },
  };
}

/**
 * POSTs `payload` (an event, or exact text) to the webhook the way Stripe does: the raw bytes,
 * signed with `secret` by the official package's test helper (`signature` overrides the header).
 */
export async function postWebhook(
  baseUrl: string,
  payload: unknown,
  options: { secret?: string; signature?: string | null } = {},
): Promise<HttpResult> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const signature =
    options.signature !== undefined
      ? options.signature
      : Stripe.webhooks.generateTestHeaderString({ payload: body, secret: options.secret ?? WEBHOOK_SECRET });
  const headers: Record<string, string> = { connection: 'close', 'content-type': 'application/json' };
  if (signature !== null) headers['stripe-signature'] = signature;
  const response = await fetch(`${baseUrl}/api/payments/webhook`, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}
