import { ApiProperty } from '@nestjs/swagger';
import { AVAILABILITY_STATUSES, type ServerFrameMap } from '@numerai/protocol';
import type { AvailabilityStatus } from './numerologist-availability.entity';

/** The contract's statuses (libs/protocol), for REST. */
export const STATUSES: AvailabilityStatus[] = [...AVAILABILITY_STATUSES];

/** The numerologist's own availability and rate. */
export class AvailabilityView {
  @ApiProperty({ enum: STATUSES }) status!: AvailabilityStatus;
  @ApiProperty({ type: 'integer', nullable: true, description: 'per minute, minor units of `currency`; null: not set' })
  rate_minor!: number | null;
  @ApiProperty({ example: 'USD' }) currency!: string;
}

/** The numerologist's own availability as `set_availability` is answered, on either socket that takes it. */
export function availabilitySetFrame(view: AvailabilityView): ServerFrameMap['availability_set'] {
  return {
    type: 'availability_set',
    status: view.status,
    currency: view.currency,
    ...(view.rate_minor != null ? { rate_minor: view.rate_minor } : {}),
  };
}

/** A numerologist clients can start a live session with now. */
export class AvailableNumerologistView {
  @ApiProperty({ format: 'uuid' }) user_id!: string;
  @ApiProperty() full_name!: string;
  @ApiProperty({ type: 'integer', description: 'per minute, minor units of `currency`' }) rate_minor!: number;
  @ApiProperty({ example: 'USD' }) currency!: string;
}

export class AvailableNumerologistPage {
  @ApiProperty({ type: [AvailableNumerologistView] }) items!: AvailableNumerologistView[];
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true, description: 'pass as `cursor` for the next page' })
  next_cursor!: string | null;
}
