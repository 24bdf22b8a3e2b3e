import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { AvailabilityService } from '@numerai/availability';
import { ChatService } from '@numerai/chat';
import { EventBus } from '@numerai/events';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { NotificationsService } from '@numerai/notifications';
import type { LiveSessionEndReason } from '@numerai/protocol';
import { Clock } from '@numerai/scheduler';
import { UsersService } from '@numerai/users';
import { WalletService } from '@numerai/wallet';
import type { LiveSessionEntity } from './live-session.entity';
import { LiveSessionViews } from './live-session.view';
import { LiveSessionsRepository } from './live-sessions.repository';

/** The chat's system message for each way a session ends: who it names, and the sentence after the name. */
const ENDED: Record<LiveSessionEndReason, { by: 'client' | 'numerologist'; sentence: string }> = {
  client: { by: 'client', sentence: 'ended the live session' },
  numerologist: { by: 'numerologist', sentence: 'ended the live session' },
  balance: { by: 'client', sentence: 'ran out of balance: the live session ended' },
  numerologist_away: { by: 'numerologist', sentence: 'was away too long: the live session ended' },
  consultation_closed: { by: 'numerologist', sentence: 'closed the consultation: the live session ended' },
};

/** The same for a request that ended before it was accepted. */
const NOT_STARTED: Record<LiveSessionEndReason, { by: 'client' | 'numerologist'; sentence: string }> = {
  ...ENDED,
  client: { by: 'client', sentence: 'withdrew the live session request' },
  numerologist: { by: 'numerologist', sentence: 'declined the live session request' },
};

/**
 * What follows a session's change, done once by the instance whose transition won: the new
 * `session_state` to both participants' chat sockets, the chat's system message, notifications,
 * the numerologist's busy/available status, and the `low_balance` warning. A crash between the
 * commit and these loses only the announcement (GET …/session always tells the truth).
 */
@Injectable()
export class LiveSessionEffects implements BeforeApplicationShutdown {
  private readonly logger: ContextLogger;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly sessions: LiveSessionsRepository,
    private readonly views: LiveSessionViews,
    private readonly wallets: WalletService,
    private readonly availability: AvailabilityService,
    private readonly chat: ChatService,
    private readonly notifications: NotificationsService,
    private readonly users: UsersService,
    private readonly events: EventBus,
    private readonly clock: Clock,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('LiveSessions');
  }

  /** A shutdown lets the announcements of changes already committed finish. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** After `before` changed (this instance's transition won): everything that follows, in the background. */
  changed(before: LiveSessionEntity | null, sessionId: string): void {
    this.background(() => this.follow(before, sessionId));
  }

  /** The client's balance changed (a top-up): their running sessions show it at once (in the background). */
  balanceChanged(clientId: string): void {
    this.background(async () => {
      for (const session of await this.sessions.runningOfClient(clientId)) {
        await this.announce(session);
        await this.warnIfLow(session);
      }
    });
  }

  private background(task: () => Promise<void>): void {
    const work = task()
      .catch((error: unknown) => this.logger.error(error instanceof Error ? error : String(error)))
      .finally(() => this.pending.delete(work));
    this.pending.add(work);
  }

  private async follow(before: LiveSessionEntity | null, sessionId: string): Promise<void> {
    const session = await this.sessions.findById(sessionId);
    if (!session) return;
    await this.announce(session);
    const wasRunning = before?.status === 'active' || before?.status === 'paused';
    if (!before) {
      await this.notify(
        session.numerologistId,
        session,
        'live_session_requested',
        'Live session requested',
        'A client asks for a live session now: accept it in the chat',
      );
    } else if (session.status === 'active' && before.status === 'requested') {
      await this.availability.sessionStarted(session.numerologistId);
      await this.systemMessage(session, 'numerologist', 'live_session_started', 'started the live session');
    } else if (session.status === 'ended' && session.endReason) {
      if (wasRunning) await this.availability.sessionEnded(session.numerologistId);
      const { by, sentence } = wasRunning ? ENDED[session.endReason] : NOT_STARTED[session.endReason];
      await this.systemMessage(session, by, 'live_session_ended', sentence);
    } else if (session.status === 'lapsed') {
      await this.systemMessage(
        session,
        'numerologist',
        'live_session_lapsed',
        'did not accept the live session in time',
      );
      for (const userId of [session.clientId, session.numerologistId]) {
        await this.notify(
          userId,
          session,
          'live_session_lapsed',
          'Live session lapsed',
          'The live session request was not accepted in time',
        );
      }
    }
    if (session.status === 'active') await this.warnIfLow(session);
  }

  private async announce(session: LiveSessionEntity): Promise<void> {
    const data = await this.views.of(session, this.clock.now());
    this.events.publish('live_session.frame', {
      consultation_id: session.consultationId,
      frame: { type: 'session_state', data },
    });
  }

  /**
   * `low_balance` once when two minutes or less are left (the current one and at most one more);
   * a top-up that lifts it above re-arms the warning. The flag is a transition of its own, so
   * one instance sends it.
   */
  private async warnIfLow(session: LiveSessionEntity): Promise<void> {
    if (session.status !== 'active') return;
    const balance = await this.wallets.balance(session.clientId);
    const low = this.views.minutesAhead(session, balance) <= 1;
    if (low === (session.lowBalanceWarned === 1)) return;
    const changed = await this.sessions.transition(session, {
      changes: { low_balance_warned: low ? 1 : 0 },
      transfers: [],
    });
    if (!changed || !low) return;
    const { seconds_left } = this.views.view(session, this.clock.now(), balance);
    this.events.publish('live_session.frame', {
      consultation_id: session.consultationId,
      frame: { type: 'low_balance', session_id: session.id, seconds_left, balance_minor: balance },
    });
  }

  private async systemMessage(
    session: LiveSessionEntity,
    by: 'client' | 'numerologist',
    event: string,
    sentence: string,
  ): Promise<void> {
    const actorId = by === 'client' ? session.clientId : session.numerologistId;
    const actor = await this.users.findById(actorId);
    await this.chat.postSystemMessage(
      { id: actorId, name: actor?.fullName ?? '' },
      { consultationId: session.consultationId, participantIds: [session.clientId, session.numerologistId] },
      event,
      sentence,
    );
  }

  private async notify(
    userId: string,
    session: LiveSessionEntity,
    type: string,
    title: string,
    message: string,
  ): Promise<void> {
    await this.notifications.notify(userId, {
      title,
      message,
      notification_type: type,
      data: { consultation_id: session.consultationId, session_id: session.id },
    });
  }
}
