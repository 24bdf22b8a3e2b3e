import { AppConfig } from '@numerai/config';
import { EventBus } from '@numerai/events';
import {
  AVAILABILITY_ROOM_KEY,
  availabilityEndpoint,
  type ClientFrameMap,
  CloseCode,
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
  Refusal,
} from '@numerai/realtime';
import { AvailabilityListing } from './availability-listing';
import { AvailabilityService } from './availability.service';
import { availabilitySetFrame } from './availability.view';

type Availability = typeof availabilityEndpoint;
const ROOM = availabilityEndpoint.room(AVAILABILITY_ROOM_KEY);

/**
 * `/ws/availability/`: the public listing of numerologists available for a live session, to any
 * authenticated user — a page at once, further pages on request, then every change. Separate from
 * presence, which shows only contacts. A numerologist may also set their own status here (or on
 * the presence socket: AvailabilityService provides it there).
 */
@RealtimeEndpoint(availabilityEndpoint)
export class AvailabilityGateway extends RealtimeGateway<Availability> implements EndpointHandlers<Availability> {
  constructor(
    runtime: RealtimeRuntime,
    private readonly listing: AvailabilityListing,
    private readonly availability: AvailabilityService,
    private readonly registry: ConnectionRegistry,
    private readonly config: AppConfig,
    events: EventBus,
  ) {
    super(runtime, availabilityEndpoint);
    events.on('availability.changed', ({ user_id }) => listing.touched(user_id));
    events.onResubscribed(() => listing.reload());
    listing.onChange((frame) => registry.broadcast(ROOM, frame));
  }

  /** One public room, bounded per instance: it must not take every slot of the server. */
  async admit(): Promise<Admission<undefined> | Refusal> {
    const max = this.config.availability.maxSubscribers;
    if ((this.registry.room(ROOM)?.size ?? 0) >= max) {
      return {
        closeCode: CloseCode.TooManyRequests,
        code: 'too_many_connections',
        message: 'Too many availability subscribers on this server; retry later',
      };
    }
    return { room: ROOM, context: undefined };
  }

  established() {
    return { message: 'Connected to availability' };
  }

  /**
   * The first page, sent in the listing's queue: changes broadcast while it was being prepared
   * are already in it, so they are dropped; later ones follow it.
   */
  async opened(connection: ClientConnection): Promise<void> {
    connection.hold();
    try {
      await this.listing.page(undefined, (items, nextCursor) => {
        connection.send(pageFrame(items, nextCursor));
        connection.release((frame) => frame.type === 'availability_changed', 0);
      });
    } catch {
      // Without its snapshot the connection would show a wrong listing: the client reconnects.
      connection.abort(CloseCode.InternalError, 'listing unavailable');
    }
  }

  closed(): void {
    if (!this.registry.room(ROOM)?.size) this.listing.forget();
  }

  async onListAvailable(connection: ClientConnection, frame: ClientFrameMap['list_available']): Promise<void> {
    await this.listing.page(frame.cursor, (items, nextCursor) => connection.send(pageFrame(items, nextCursor)));
  }

  async onSetAvailability(
    connection: ClientConnection,
    frame: ClientFrameMap['set_availability'],
  ): Promise<ServerFrameMap['availability_set']> {
    return availabilitySetFrame(await this.availability.setStatus(connection.user, frame.status));
  }
}

function pageFrame(
  items: ServerFrameMap['available_page']['items'],
  nextCursor: string | undefined,
): ServerFrameMap['available_page'] {
  return { type: 'available_page', items, ...(nextCursor ? { next_cursor: nextCursor } : {}) };
}
