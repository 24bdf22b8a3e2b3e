import { Injectable } from '@nestjs/common';
import { AppConfig } from '@numerai/config';
import type { LiveSessionData } from '@numerai/protocol';
import { WalletService } from '@numerai/wallet';
import type { LiveSessionEntity } from './live-session.entity';

/** How a session looks to its participants at `now`, with the client's balance read now. */
@Injectable()
export class LiveSessionViews {
  constructor(
    private readonly wallets: WalletService,
    private readonly config: AppConfig,
  ) {}

  async of(session: LiveSessionEntity, now: Date): Promise<LiveSessionData> {
    const balance = session.status === 'active' ? await this.wallets.balance(session.clientId) : 0;
    return this.view(session, now, balance);
  }

  /** Whole minutes still to come after the current one: paid from the balance, or free. */
  minutesAhead(session: LiveSessionEntity, balance: number): number {
    return Math.floor(balance / session.rateMinor) + Math.max(0, session.freeMinutes - session.minuteNumber);
  }

  view(session: LiveSessionEntity, now: Date, balance: number): LiveSessionData {
    const active = session.status === 'active' && session.paidUntil !== null;
    const secondsPaid = active ? Math.max(0, Math.ceil((session.paidUntil!.getTime() - now.getTime()) / 1000)) : 0;
    const minuteSeconds = this.config.liveSessions.minuteMs / 1000;
    return {
      session_id: session.id,
      consultation_id: session.consultationId,
      status: session.status,
      rate_minor: session.rateMinor,
      currency: this.config.wallet.currency,
      free_minutes: session.freeMinutes,
      minutes_charged: session.minutesCharged,
      amount_charged: session.amountCharged,
      seconds_paid: secondsPaid,
      seconds_left: active ? Math.floor(secondsPaid + this.minutesAhead(session, balance) * minuteSeconds) : 0,
      requested_at: session.requestedAt.toISOString(),
      ...(session.status === 'requested' ? { expires_at: session.expiresAt.toISOString() } : {}),
      ...(session.startedAt ? { started_at: session.startedAt.toISOString() } : {}),
      ...(session.endedAt ? { ended_at: session.endedAt.toISOString() } : {}),
      ...(session.endReason ? { end_reason: session.endReason } : {}),
      server_time: now.toISOString(),
    };
  }
}
