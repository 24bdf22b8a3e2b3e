import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { InvalidError, NotFoundError, UnavailableError } from '@numerai/common';
import { AppConfig } from '@numerai/config';
import { isUuid } from '@numerai/database';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { MAX_AMOUNT_MINOR, WalletService } from './wallet.service';

/** What the webhook answers a verified event; the provider only needs a 2xx. */
export interface PaymentEventReceipt {
  received: true;
  /** False for an event that moves no money here, and for a replay of one that did. */
  applied: boolean;
}

/** The event that tops a wallet up: a PaymentIntent that succeeded, naming the user in its metadata. */
export const TOP_UP_EVENT = 'payment_intent.succeeded';

/**
 * Payment-provider webhooks (Stripe's format). The signature is checked over the exact bytes
 * received (hence the raw body on this route) with the official package, which also refuses
 * stale timestamps (5 minutes). A forged or stale event is InvalidError and changes nothing.
 * A verified one is applied under the key `stripe:<event id>`, so Stripe's retries and any
 * replay of it change nothing more.
 *
 * A verified event this deployment cannot apply (another currency, no or unknown user) is
 * acknowledged and logged, not refused: retrying it would never succeed.
 */
@Injectable()
export class PaymentEvents {
  private readonly logger: ContextLogger;

  constructor(
    private readonly wallets: WalletService,
    private readonly config: AppConfig,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('PaymentEvents');
  }

  async receive(payload: unknown, signature: string | undefined): Promise<PaymentEventReceipt> {
    const secret = this.config.wallet.stripeWebhookSecret;
    if (!secret) throw new UnavailableError('Payment webhooks are not configured here (STRIPE_WEBHOOK_SECRET)');
    if (!Buffer.isBuffer(payload) || !signature) throw new InvalidError('A signed payment event is required');
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(payload, signature, secret);
    } catch {
      throw new InvalidError('The payment event’s signature does not verify');
    }
    if (event.type !== TOP_UP_EVENT) return { received: true, applied: false };
    const intent = event.data.object;
    const userId = intent.metadata?.user_id;
    const amount = intent.amount_received;
    const currency = String(intent.currency ?? '').toUpperCase();
    const usable =
      isUuid(userId) &&
      Number.isSafeInteger(amount) &&
      amount > 0 &&
      amount <= MAX_AMOUNT_MINOR &&
      currency === this.config.wallet.currency;
    if (!usable) return this.ignored(event.id, 'not a top-up this deployment can apply');
    try {
      const result = await this.wallets.topUp(userId, amount, `stripe:${event.id}`);
      return { received: true, applied: result.applied };
    } catch (error) {
      if (error instanceof NotFoundError) return this.ignored(event.id, 'no such user');
      throw error;
    }
  }

  private ignored(eventId: string, why: string): PaymentEventReceipt {
    this.logger.warn({ event_id: eventId }, `payment event ignored: ${why}`);
    return { received: true, applied: false };
  }
}
