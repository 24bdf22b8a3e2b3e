import { BadRequestException, Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Page, Principal } from '@numerai/common';
import { ConsultationView, toConsultationView } from './consultation.view';
import { ConsultationsService } from './consultations.service';
import { CreateConsultationDto, ListConsultationsQuery, UpdateConsultationDto } from './dto/consultation.dto';

/** rest.md: a 400 names the field; the stock pipe says only "uuid is expected". For every `:id` of a consultation. */
export const consultationId = new ParseUUIDPipe({
  exceptionFactory: () => new BadRequestException('id must be a UUID'),
});

@ApiTags('consultations')
@ApiBearerAuth()
@Controller('api/consultations')
export class ConsultationsController {
  constructor(private readonly consultations: ConsultationsService) {}

  @Post()
  @ApiCreatedResponse({ type: ConsultationView })
  async create(@CurrentUser() user: Principal, @Body() dto: CreateConsultationDto): Promise<ConsultationView> {
    const scheduledAt = dto.scheduled_at ? new Date(dto.scheduled_at) : null;
    return toConsultationView(await this.consultations.create(user, dto.numerologist_id, scheduledAt));
  }

  @Get()
  @ApiOkResponse({ description: '{items: consultation[], next_before} newest first' })
  list(@CurrentUser() user: Principal, @Query() query: ListConsultationsQuery): Promise<Page<ConsultationView>> {
    return this.consultations.list(user.id, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: ConsultationView, description: 'with the caller’s unread_count, as in the list' })
  get(@CurrentUser() user: Principal, @Param('id', consultationId) id: string): Promise<ConsultationView> {
    return this.consultations.viewForParticipant(id, user.id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: ConsultationView })
  async update(
    @CurrentUser() user: Principal,
    @Param('id', consultationId) id: string,
    @Body() dto: UpdateConsultationDto,
  ): Promise<ConsultationView> {
    return toConsultationView(await this.consultations.changeStatus(id, user, dto.status));
  }
}
