import type { AvailabilityStatus } from '@numerai/protocol';
import type { KeepAliveOptions } from './connection';
import { EndpointSession } from './session';
import type { WebSocketClientOptions } from './types';

/**
 * Presence of the user's contacts, `/ws/presence/`. Nothing to resume: every connection starts
 * with a full `presence_state`, then `user_online` / `user_offline`.
 */
export class PresenceSession extends EndpointSession<'presence'> {
  constructor(token: string | null | undefined, options: WebSocketClientOptions & KeepAliveOptions = {}) {
    super('presence', token, options);
    this.start(options);
  }

  /**
   * Numerologists only: become available, busy or offline on the socket their app holds anyway
   * (as AvailabilitySession.setStatus); the server answers `availability_set`.
   */
  setAvailability(status: AvailabilityStatus): void {
    this.send('set_availability', { status });
  }
}
