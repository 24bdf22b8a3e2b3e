import { Injectable, OnModuleInit } from '@nestjs/common';
import { AvailabilityService } from '@numerai/availability';
import { ClosedError, ConflictError, NotAllowedError, NotFoundError, type Principal } from '@numerai/common';
import { AppConfig } from '@numerai/config';
import { ConsultationsService, isParticipant } from '@numerai/consultations';
import { isUniqueViolation } from '@numerai/database';
import { EventBus } from '@numerai/events';
import type { LiveSessionData } from '@numerai/protocol';
import { Clock } from '@numerai/scheduler';
import { InsufficientFundsError, WalletService } from '@numerai/wallet';
import type { LiveSessionEntity } from './live-session.entity';
import { LiveSessionEffects } from './live-session-effects';
import { LiveSessionViews } from './live-session.view';
import { LiveSessionsRepository } from './live-sessions.repository';
import { endPlan, startPlan } from './session-plans';

/**
 * A consultation's live per-minute session as its participants drive it over REST: the client
 * asks, the numerologist accepts (within LIVE_SESSION_ACCEPT_MS), either ends it. The clock that
 * charges the minutes, pauses and lapses is LiveSessionClock.
 */
@Injectable()
export class LiveSessionsService implements OnModuleInit {
  constructor(
    private readonly sessions: LiveSessionsRepository,
    private readonly consultations: ConsultationsService,
    private readonly availability: AvailabilityService,
    private readonly wallets: WalletService,
    private readonly views: LiveSessionViews,
    private readonly effects: LiveSessionEffects,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // On the instance that credited the wallet: the client's running session shows the new time left at once.
    this.events.onOrigin('wallet.credited', ({ user_id }) => this.effects.balanceChanged(user_id));
  }

  /** The client asks for a live session in their active consultation. */
  async request(client: Principal, consultationId: string): Promise<LiveSessionData> {
    const consultation = await this.participantOf(client, consultationId);
    if (consultation.userId !== client.id)
      throw new NotAllowedError('Only the consultation’s client asks for a live session');
    if (consultation.status !== 'active') throw new ClosedError('A live session needs an active consultation');
    const terms = await this.availability.liveSessionTerms(consultation.numerologistId);
    if (terms.rateMinor === null) throw new ConflictError('The numerologist has no per-minute rate');
    if (terms.status !== 'available')
      throw new ConflictError('The numerologist is not available for a live session now');
    const { freeMinutes, acceptMs, commissionPercent } = this.config.liveSessions;
    const free = freeMinutes > 0 && !(await this.sessions.hasStarted(client.id)) ? freeMinutes : 0;
    if (free === 0 && (await this.wallets.balance(client.id)) < terms.rateMinor) {
      throw new InsufficientFundsError();
    }
    const now = this.clock.now();
    let session: LiveSessionEntity;
    try {
      session = await this.sessions.insert({
        consultationId,
        clientId: client.id,
        numerologistId: consultation.numerologistId,
        rateMinor: terms.rateMinor,
        earningMinor: terms.rateMinor - Math.ceil((terms.rateMinor * commissionPercent) / 100),
        freeMinutes: free,
        requestedAt: now,
        expiresAt: new Date(now.getTime() + acceptMs),
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('A live session is already requested or running here');
      throw error;
    }
    this.effects.changed(null, session.id);
    return this.views.of(session, now);
  }

  /** The numerologist accepts the pending request: minute 1 starts (and is charged) now. */
  async accept(numerologist: Principal, consultationId: string): Promise<LiveSessionData> {
    const consultation = await this.participantOf(numerologist, consultationId);
    if (consultation.numerologistId !== numerologist.id) {
      throw new NotAllowedError('Only the consultation’s numerologist accepts a live session');
    }
    const session = await this.sessions.findOpen(consultationId);
    if (!session || session.status !== 'requested') throw new ConflictError('No live session request is pending here');
    const now = this.clock.now();
    if (now >= session.expiresAt) throw new ConflictError('The request lapsed');
    let started: boolean;
    try {
      started = await this.sessions.transition(session, startPlan(session, now, this.config.liveSessions.minuteMs));
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('You are in another live session');
      throw error;
    }
    if (!started) {
      const current = await this.sessions.findById(session.id);
      if (current?.version === session.version) throw new InsufficientFundsError();
      throw new ConflictError('The live session changed meanwhile (withdrawn or lapsed)');
    }
    this.effects.changed(session, session.id);
    return this.views.of((await this.sessions.findById(session.id))!, now);
  }

  /** Either participant ends the open session (a pending request: withdrawn or declined). */
  async end(user: Principal, consultationId: string): Promise<LiveSessionData> {
    const consultation = await this.participantOf(user, consultationId);
    const reason = consultation.userId === user.id ? 'client' : 'numerologist';
    // Bounded: each retry follows a change someone else made (a minute starting, a pause).
    for (let attempt = 0; attempt < 5; attempt++) {
      const session = await this.sessions.findOpen(consultationId);
      if (!session) throw new ConflictError('No live session is open here');
      const now = this.clock.now();
      if (await this.sessions.transition(session, endPlan(session, now, reason))) {
        this.effects.changed(session, session.id);
        return this.views.of((await this.sessions.findById(session.id))!, now);
      }
    }
    throw new ConflictError('The live session kept changing: try again');
  }

  /** The consultation's newest session (running, or its summary once over). */
  async latest(user: Principal, consultationId: string): Promise<LiveSessionData> {
    await this.participantOf(user, consultationId);
    const session = await this.sessions.latest(consultationId);
    if (!session) throw new NotFoundError('This consultation has had no live session');
    return this.views.of(session, this.clock.now());
  }

  private async participantOf(user: Principal, consultationId: string) {
    const consultation = await this.consultations.findById(consultationId);
    if (!consultation || !isParticipant(consultation, user.id)) {
      throw new NotFoundError('No such consultation, or the caller does not take part in it');
    }
    return consultation;
  }
}
