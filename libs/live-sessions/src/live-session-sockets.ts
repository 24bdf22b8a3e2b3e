import { Injectable } from '@nestjs/common';
import { EventBus } from '@numerai/events';
import { chatEndpoint } from '@numerai/protocol';
import { ConnectionRegistry } from '@numerai/realtime';

/**
 * Puts `session_state` and `low_balance` on the consultation's chat sockets held by this
 * instance: the event is routed to the instances that hold the chat's room (libs/events).
 */
@Injectable()
export class LiveSessionSockets {
  constructor(events: EventBus, registry: ConnectionRegistry) {
    events.on('live_session.frame', ({ consultation_id, frame }) =>
      registry.broadcast(chatEndpoint.room(consultation_id), frame),
    );
  }
}
