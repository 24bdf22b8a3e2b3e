import { EventBus } from '@numerai/events';
import {
  type ClientFrameMap,
  type PresenceContext,
  presenceEndpoint,
  type ServerFrame,
  type ServerFrameMap,
} from '@numerai/protocol';
import {
  Admission,
  ClientConnection,
  ConnectionRegistry,
  EndpointHandlers,
  RealtimeEndpoint,
  RealtimeGateway,
  RealtimeRuntime,
  UpgradeContext,
} from '@numerai/realtime';
import { PresenceAvailability } from './presence-availability';
import { PresenceService } from './presence.service';
import { passesView } from './presence-view';

const roomOf = presenceEndpoint.room;

type Presence = typeof presenceEndpoint;

/**
 * `/ws/presence/`: any authenticated user; sees only their contacts. A numerologist may also set
 * their own availability on it (`set_availability`, done by the availability feature).
 */
@RealtimeEndpoint(presenceEndpoint)
export class PresenceGateway extends RealtimeGateway<Presence> implements EndpointHandlers<Presence> {
  constructor(
    runtime: RealtimeRuntime,
    private readonly presence: PresenceService,
    private readonly availability: PresenceAvailability,
    registry: ConnectionRegistry,
    events: EventBus,
  ) {
    super(runtime, presenceEndpoint);
    events.on('presence.changed', (change) => {
      const frame: ServerFrame = change.online
        ? { type: 'user_online', user_id: change.user_id, user_name: change.user_name }
        : {
            type: 'user_offline',
            user_id: change.user_id,
            ...(change.last_seen ? { last_seen: change.last_seen } : {}),
          };
      registry.broadcastToRooms(change.recipient_ids.map(roomOf), frame, (connection) =>
        passesView((connection as ClientConnection<PresenceContext>).context, frame),
      );
    });
  }

  async admit({ principal }: UpgradeContext): Promise<Admission<PresenceContext>> {
    return { room: roomOf(principal.id), context: { shown: null } };
  }

  established() {
    return { message: 'Connected to presence' };
  }

  /**
   * The snapshot first; changes that happen while it is taken follow it, checked against it
   * (see passesView), so the client's view ends up right.
   */
  async opened(connection: ClientConnection<PresenceContext>): Promise<void> {
    connection.hold();
    const view = connection.context;
    try {
      const users = await this.presence.onlineContacts(connection.userId);
      view.shown = new Set(users.map((user) => user.user_id));
      connection.send({ type: 'presence_state', users });
    } finally {
      view.shown ??= new Set();
      // No linger: the view filters every later frame itself.
      connection.release((frame) => !passesView(view, frame), 0);
    }
  }

  onSetAvailability(
    connection: ClientConnection<PresenceContext>,
    frame: ClientFrameMap['set_availability'],
  ): Promise<ServerFrameMap['availability_set']> {
    return this.availability.set(connection.user, frame.status);
  }
}
