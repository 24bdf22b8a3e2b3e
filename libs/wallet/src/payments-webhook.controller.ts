import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiErrors, Public } from '@numerai/common';
import { PaymentEventReceipt, PaymentEvents } from './payment-events';

/** Where the provider posts events; the app gives this path a raw (unparsed) body. */
export const PAYMENTS_WEBHOOK_PATH = '/api/payments/webhook';

@ApiTags('payments')
@Controller()
export class PaymentsWebhookController {
  constructor(private readonly events: PaymentEvents) {}

  /** Public: the provider proves itself with the signature, not a token. */
  @Public()
  @Post(PAYMENTS_WEBHOOK_PATH.slice(1))
  @HttpCode(200)
  @ApiOperation({ summary: 'Payment-provider webhook (Stripe-signed events): tops wallets up' })
  @ApiHeader({ name: 'stripe-signature', required: true, description: 'Stripe’s `t=…,v1=…` signature header' })
  @ApiBody({ schema: { type: 'object', description: 'a Stripe event, verified over its exact bytes' } })
  @ApiOkResponse({
    description: 'verified; `applied` is false for events that move no money and for replays',
    schema: {
      type: 'object',
      required: ['received', 'applied'],
      properties: { received: { type: 'boolean', enum: [true] }, applied: { type: 'boolean' } },
    },
  })
  @ApiErrors({
    invalid: 'no body or signature, or a signature that does not verify (forged, altered or stale)',
    unavailable: 'STRIPE_WEBHOOK_SECRET is not set on this deployment',
  })
  receive(@Req() request: Request): Promise<PaymentEventReceipt> {
    return this.events.receive(request.body, request.header('stripe-signature'));
  }
}
