import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsUUID } from 'class-validator';
import { PageQuery, CONSULTATION_STATUSES, type ConsultationStatus } from '@numerai/common';

export class CreateConsultationDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID(undefined, { message: 'numerologist_id must be a UUID' })
  numerologist_id!: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'scheduled_at must be an ISO-8601 date-time' })
  scheduled_at?: string;
}

export class UpdateConsultationDto {
  @ApiProperty({ enum: CONSULTATION_STATUSES })
  @IsIn(CONSULTATION_STATUSES, { message: `status must be one of: ${CONSULTATION_STATUSES.join(', ')}` })
  status!: ConsultationStatus;
}

/** `?status=&before=<id>&limit=` (≤ 100, default 50): newest first. */
export class ListConsultationsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CONSULTATION_STATUSES })
  @IsOptional()
  @IsIn(CONSULTATION_STATUSES, { message: `status must be one of: ${CONSULTATION_STATUSES.join(', ')}` })
  status?: ConsultationStatus;
}
