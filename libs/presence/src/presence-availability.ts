import { Injectable } from '@nestjs/common';
import { type Principal, UnavailableError } from '@numerai/common';
import type { AvailabilityStatus, ServerFrameMap } from '@numerai/protocol';

/** Sets `user`'s own availability and answers with their status and rate (refusing whoever may not). */
export type AvailabilitySetter = (
  user: Principal,
  status: AvailabilityStatus,
) => Promise<ServerFrameMap['availability_set']>;

/**
 * `set_availability` on `/ws/presence/` (a numerologist's app holds that socket anyway). What it
 * does belongs to the availability feature, which depends on presence: so presence cannot call
 * it, and the feature provides its setter here at start-up instead.
 */
@Injectable()
export class PresenceAvailability {
  private setter?: AvailabilitySetter;

  provide(setter: AvailabilitySetter): void {
    if (this.setter) throw new Error('The presence socket’s availability setter is provided twice');
    this.setter = setter;
  }

  async set(user: Principal, status: AvailabilityStatus): Promise<ServerFrameMap['availability_set']> {
    // A build without the availability feature (none today) answers rather than ignore the frame.
    if (!this.setter) throw new UnavailableError('Availability is not served here');
    return this.setter(user, status);
  }
}
