import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@numerai/config';
import { ConnectionDirectory } from '@numerai/realtime';
import { Clock, forEachPage, JobRunner, ScheduledJob } from '@numerai/scheduler';
import type { LiveSessionEntity } from './live-session.entity';
import { LiveSessionEffects } from './live-session-effects';
import { LiveSessionsRepository } from './live-sessions.repository';
import { endPlan, lapsePlan, nextMinutePlan, pausePlan, resumePlan, type SessionPlan } from './session-plans';

/**
 * The server's clock of every live session, as a scheduled job (every LIVE_SESSION_TICK_MS, on
 * one instance at a time with BullMQ, on each with the in-process runner): it reads the open
 * sessions and does what is due, each step one compare-and-set transition whose money moves in
 * the same transaction. So a step is done once however many instances try it, an instance
 * killed mid-step leaves it undone for the next tick, and no timer in any process is the truth.
 *
 * - requested past `expires_at`: lapsed.
 * - active, the numerologist holding no socket anywhere: `away_since` is noted; past
 *   LIVE_SESSION_PAUSE_AFTER_MS the session pauses and the current minute is refunded.
 * - active past `paid_until`: the numerologist earns that minute and the next one is charged;
 *   a balance that cannot pay ends the session (reason `balance`).
 * - paused: resumed (a new minute charged) when the numerologist is back; ended (reason
 *   `numerologist_away`) after LIVE_SESSION_MAX_PAUSE_MS.
 * - any open one whose consultation is no longer active: ended (`consultation_closed`).
 *
 * Clocks of instances may differ: a step falls due by this instance's clock (a second's skew
 * moves it by a second), and which minute it is comes from the row, never from the clock.
 */
@Injectable()
export class LiveSessionClock implements ScheduledJob, OnModuleInit {
  readonly name = 'live-session-clock';
  readonly everyMs: number;

  constructor(
    private readonly runner: JobRunner,
    private readonly sessions: LiveSessionsRepository,
    private readonly effects: LiveSessionEffects,
    private readonly directory: ConnectionDirectory,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {
    this.everyMs = config.liveSessions.tickMs;
  }

  onModuleInit(): void {
    this.runner.register(this);
  }

  async run(): Promise<void> {
    await forEachPage(
      (afterId, limit) => this.sessions.openPage(afterId, limit),
      async (page) => {
        const online = await this.directory.onlineAmong([...new Set(page.map((session) => session.numerologistId))]);
        for (const session of page) await this.step(session, online.has(session.numerologistId));
      },
    );
  }

  private async step(session: LiveSessionEntity, numerologistOnline: boolean): Promise<void> {
    const now = this.clock.now();
    const { minuteMs, pauseAfterMs, maxPauseMs } = this.config.liveSessions;
    // Completed, cancelled (or erased with an account) under it: read from the row, so no lost event keeps it charging.
    if (session.consultation && session.consultation.status !== 'active') {
      await this.apply(session, endPlan(session, now, 'consultation_closed'));
      return;
    }
    switch (session.status) {
      case 'requested':
        if (now >= session.expiresAt) await this.apply(session, lapsePlan(now));
        return;
      case 'paused':
        if (numerologistOnline) await this.chargeOrEnd(session, resumePlan(session, now, minuteMs), now);
        else if (now.getTime() - session.pausedAt!.getTime() >= maxPauseMs) {
          await this.apply(session, endPlan(session, now, 'numerologist_away'));
        }
        return;
      case 'active':
        if (!numerologistOnline && !session.awaySince) {
          await this.sessions.transition(session, { changes: { away_since: now }, transfers: [] });
        } else if (numerologistOnline && session.awaySince) {
          await this.sessions.transition(session, { changes: { away_since: null }, transfers: [] });
        } else if (session.awaySince && now.getTime() - session.awaySince.getTime() > pauseAfterMs) {
          await this.apply(session, pausePlan(session, now));
        } else if (now >= session.paidUntil!) {
          await this.chargeOrEnd(session, nextMinutePlan(session, minuteMs), now);
        }
        return;
      // Over: the clock has nothing more to do (openPage does not return these anyway).
      case 'ended':
      case 'lapsed':
        return;
    }
  }

  /** A step that charges a minute; if only the balance stopped it (the row is unchanged), the session ends. */
  private async chargeOrEnd(session: LiveSessionEntity, plan: SessionPlan, now: Date): Promise<void> {
    if (await this.apply(session, plan)) return;
    const current = await this.sessions.findById(session.id);
    if (current?.version !== session.version) return; // another instance took this step
    await this.apply(session, endPlan(session, now, 'balance'));
  }

  private async apply(session: LiveSessionEntity, plan: SessionPlan): Promise<boolean> {
    const changed = await this.sessions.transition(session, plan);
    if (changed) this.effects.changed(session, session.id);
    return changed;
  }
}
