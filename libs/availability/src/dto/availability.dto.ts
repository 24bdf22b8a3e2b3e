import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { PageQuery } from '@numerai/common';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import type { AvailabilityStatus } from '../numerologist-availability.entity';
import { STATUSES } from '../availability.view';

export class SetAvailabilityDto {
  @ApiProperty({ enum: STATUSES })
  @IsIn(STATUSES, { message: `status must be one of ${STATUSES.join(', ')}` })
  status!: AvailabilityStatus;
}

export class SetRateDto {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    description: 'per minute, minor units of WALLET_CURRENCY, within WALLET_RATE_MIN_MINOR…WALLET_RATE_MAX_MINOR',
  })
  @IsInt({ message: 'rate_minor must be a whole number of minor units' })
  @Min(1)
  @Max(1_000_000_000)
  rate_minor!: number;
}

/** `?cursor=<the previous page's next_cursor>&limit=`: PageQuery's limit, a cursor of its own (ids ascend here). */
export class AvailableQuery extends PickType(PageQuery, ['limit'] as const) {
  @ApiPropertyOptional({ format: 'uuid', description: 'the previous page’s next_cursor' })
  @IsOptional()
  @IsUUID()
  cursor?: string;
}
