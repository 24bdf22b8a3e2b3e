import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { ApiErrors, CurrentUser, Principal, UnavailableError } from '@numerai/common';
import { AppConfig } from '@numerai/config';
import { PaymentEventReceipt, PaymentEvents, TOP_UP_EVENT } from './payment-events';
import { WalletModule } from './wallet.module';

/** The most one demo top-up adds (minor units): enough to try a session, not a way to mint money. */
export const DEMO_TOP_UP_MAX_MINOR = 100_000;

export class DemoTopUpDto {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: DEMO_TOP_UP_MAX_MINOR,
    description: 'minor units of WALLET_CURRENCY',
  })
  @IsInt({ message: 'amount must be a whole number of minor units' })
  @Min(1)
  @Max(DEMO_TOP_UP_MAX_MINOR)
  amount!: number;
}

/**
 * The demo page's top-up, for a laptop only (DEMO_TOP_UPS=true, which warns at start-up; the
 * route does not exist otherwise): this server plays the payment provider. It builds the
 * `payment_intent.succeeded` event Stripe would send for the caller, signs it with
 * STRIPE_WEBHOOK_SECRET through the official package's `webhooks.generateTestHeaderString`, and
 * hands the exact bytes and signature to the webhook's own handler, which verifies and applies
 * it like any other: the money path the demo shows is the real one, only the signer is local.
 */
@ApiTags('payments')
@Controller('api/demo')
export class DemoTopUpController {
  constructor(
    private readonly payments: PaymentEvents,
    private readonly config: AppConfig,
  ) {}

  @Post('top-up')
  @HttpCode(200)
  @ApiOperation({ summary: 'Demo only (DEMO_TOP_UPS=true): top the caller’s wallet up with a locally signed event' })
  @ApiOkResponse({ description: 'the webhook’s answer to the signed event' })
  @ApiErrors({ invalid: 'amount outside 1…100000', unavailable: 'STRIPE_WEBHOOK_SECRET is not set' })
  topUp(@CurrentUser() user: Principal, @Body() dto: DemoTopUpDto): Promise<PaymentEventReceipt> {
    const secret = this.config.wallet.stripeWebhookSecret;
    if (!secret) throw new UnavailableError('Payment webhooks are not configured here (STRIPE_WEBHOOK_SECRET)');
    const payload = JSON.stringify({
      id: `evt_demo_${randomBytes(12).toString('hex')}`,
      object: 'event',
      type: TOP_UP_EVENT,
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: `pi_demo_${randomBytes(12).toString('hex')}`,
          object: 'payment_intent',
          amount: dto.amount,
          amount_received: dto.amount,
          currency: this.config.wallet.currency.toLowerCase(),
          metadata: { user_id: user.id },
        },
      },
    });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret });
    return this.payments.receive(Buffer.from(payload), signature);
  }
}

/** Added to the app only when DEMO_TOP_UPS=true (AppModule). */
@Module({ imports: [WalletModule], controllers: [DemoTopUpController] })
export class DemoTopUpModule {}
