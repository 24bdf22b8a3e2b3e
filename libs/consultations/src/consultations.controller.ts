import { BadRequestException, Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse, CurrentUser, Page, Principal } from '@numerai/common';
import { ConsultationView, toConsultationView } from './consultation.view';
import { ConsultationsService } from './consultations.service';
import { CreateConsultationDto, ListConsultationsQuery, UpdateConsultationDto } from './dto/consultation.dto';

/** rest.md: a 400 names the field; the stock pipe says only "uuid is expected". For every `:id` of a consultation. */
export const consultationId = new ParseUUIDPipe({
  exceptionFactory: () => new BadRequestException('id must be a UUID'),
});

@ApiTags('consultations')
@Controller('api/consultations')
export class ConsultationsController {
  constructor(private readonly consultations: ConsultationsService) {}

  @Post()
  @ApiOperation({ summary: 'Book a consultation with a numerologist' })
  @ApiCreatedResponse({ type: ConsultationView })
  @ApiErrors({
    not_found: 'numerologist_id is not a numerologist (or an erased one)',
    not_allowed: 'That numerologist blocked the caller',
    conflict: 'The caller already has an open consultation with that numerologist, or too many open ones in all',
    rate_limited: 'More than BOOKINGS_PER_PAIR_PER_HOUR bookings with this numerologist in the last hour',
  })
  async create(@CurrentUser() user: Principal, @Body() dto: CreateConsultationDto): Promise<ConsultationView> {
    const scheduledAt = dto.scheduled_at ? new Date(dto.scheduled_at) : null;
    return toConsultationView(await this.consultations.create(user, dto.numerologist_id, scheduledAt));
  }

  @Get()
  @ApiOperation({ summary: 'The consultations the caller takes part in, newest first' })
  @ApiPageResponse(ConsultationView, 'newest first, each with the caller’s unread_count')
  list(@CurrentUser() user: Principal, @Query() query: ListConsultationsQuery): Promise<Page<ConsultationView>> {
    return this.consultations.list(user.id, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One consultation the caller takes part in' })
  @ApiErrors({ not_found: 'No such consultation, or the caller does not take part in it' })
  @ApiOkResponse({ type: ConsultationView, description: 'with the caller’s unread_count, as in the list' })
  get(@CurrentUser() user: Principal, @Param('id', consultationId) id: string): Promise<ConsultationView> {
    return this.consultations.viewForParticipant(id, user.id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Accept, complete or cancel a consultation' })
  @ApiOkResponse({ type: ConsultationView })
  @ApiErrors({
    not_found: 'No such consultation, or the caller does not take part in it',
    not_allowed: 'Only the numerologist can make it active or completed',
    conflict: 'The change does not follow from its status, or a concurrent change won',
  })
  async update(
    @CurrentUser() user: Principal,
    @Param('id', consultationId) id: string,
    @Body() dto: UpdateConsultationDto,
  ): Promise<ConsultationView> {
    return toConsultationView(await this.consultations.changeStatus(id, user, dto.status));
  }
}
