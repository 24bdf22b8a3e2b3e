import { Injectable } from '@nestjs/common';
import { ChatOpenings, type ChatServerFrame } from '@numerai/chat';
import { EventBus } from '@numerai/events';
import { chatEndpoint } from '@numerai/protocol';
import { ConnectionRegistry } from '@numerai/realtime';
import { Clock } from '@numerai/scheduler';
import { LiveSessionViews } from './live-session.view';
import { LiveSessionsRepository } from './live-sessions.repository';

/**
 * Puts `session_state` and `low_balance` on the consultation's chat sockets held by this
 * instance: the event is routed to the instances that hold the chat's room (libs/events). A chat
 * socket that (re)connects while a session is open (requested, active, paused) is sent its state
 * at once (ChatOpenings), so a reloaded tab shows the running timer without asking REST.
 */
@Injectable()
export class LiveSessionSockets {
  constructor(
    private readonly sessions: LiveSessionsRepository,
    private readonly views: LiveSessionViews,
    private readonly clock: Clock,
    events: EventBus,
    registry: ConnectionRegistry,
    openings: ChatOpenings,
  ) {
    events.on('live_session.frame', ({ consultation_id, frame }) =>
      registry.broadcast(chatEndpoint.room(consultation_id), frame),
    );
    openings.register((consultationId) => this.opening(consultationId));
  }

  /** The open session's `session_state`; nothing when the consultation has none (or only ended ones). */
  private async opening(consultationId: string): Promise<ChatServerFrame[]> {
    const session = await this.sessions.findOpen(consultationId);
    if (!session) return [];
    return [{ type: 'session_state', data: await this.views.of(session, this.clock.now()) }];
  }
}
