import { ApiProperty } from '@nestjs/swagger';
import { iso, CONSULTATION_STATUSES, ConsultationStatus } from '@numerai/common';
import { ConsultationEntity } from './consultation.entity';

export class ConsultationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) user_id!: string;
  @ApiProperty({ format: 'uuid' }) numerologist_id!: string;
  @ApiProperty({ enum: CONSULTATION_STATUSES }) status!: ConsultationStatus;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) scheduled_at!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  /** In the list and GET /api/consultations/:id: the caller's unread messages in this consultation's chat (the other participant's, after the caller's read marker). */
  @ApiProperty({
    required: false,
    minimum: 0,
    description:
      "the caller's unread messages in its chat (the other participant's, after the caller's read marker); in the list and GET /api/consultations/:id",
  })
  unread_count?: number;
}

export function toConsultationView(c: ConsultationEntity): ConsultationView {
  return {
    id: c.id,
    user_id: c.userId,
    numerologist_id: c.numerologistId,
    status: c.status,
    scheduled_at: iso(c.scheduledAt),
    created_at: iso(c.createdAt),
  };
}
