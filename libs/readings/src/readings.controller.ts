import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentUser, isCalendarDate, Principal } from '@numerai/common';
import { ReadingView, toReadingView } from './reading.view';
import { ReadingsService } from './readings.service';

@ApiTags('readings')
@ApiBearerAuth()
@Controller('api/readings')
export class ReadingsController {
  constructor(private readonly readings: ReadingsService) {}

  @Get('today')
  @ApiOkResponse({
    type: ReadingView,
    description: "today's reading in the caller's time_zone; 409 without a birth date",
  })
  async today(@CurrentUser() user: Principal): Promise<ReadingView> {
    return toReadingView(await this.readings.today(user.id));
  }

  @Get()
  @ApiQuery({ name: 'date', example: '2026-12-02' })
  @ApiOkResponse({ type: ReadingView, description: 'the reading of that local day; 404 if there is none' })
  async onDate(@CurrentUser() user: Principal, @Query('date') date: unknown): Promise<ReadingView> {
    if (typeof date !== 'string' || !isCalendarDate(date)) {
      throw new BadRequestException(['date must be a calendar date as YYYY-MM-DD']);
    }
    return toReadingView(await this.readings.onDate(user.id, date));
  }
}
