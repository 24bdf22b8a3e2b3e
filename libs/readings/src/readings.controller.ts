import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentUser, isCalendarDate, Principal } from '@numerai/common';
import { ReadingView, toReadingView } from './reading.view';
import { ReadingsService } from './readings.service';

@ApiTags('readings')
@Controller('api/readings')
export class ReadingsController {
  constructor(private readonly readings: ReadingsService) {}

  @Get('today')
  @ApiOperation({ summary: 'Today’s numerology reading' })
  @ApiOkResponse({ type: ReadingView, description: "today's reading in the caller's time_zone" })
  @ApiErrors({ conflict: 'The caller has no birth_date yet' })
  async today(@CurrentUser() user: Principal): Promise<ReadingView> {
    return toReadingView(await this.readings.today(user.id));
  }

  @Get()
  @ApiQuery({
    name: 'date',
    type: String,
    format: 'date',
    example: '2026-12-02',
    description: 'a local day, YYYY-MM-DD',
  })
  @ApiOperation({ summary: 'The reading of a past day' })
  @ApiOkResponse({ type: ReadingView, description: 'the reading of that local day' })
  @ApiErrors({ invalid: 'date is not a calendar date as YYYY-MM-DD', not_found: 'No reading for that day' })
  async onDate(@CurrentUser() user: Principal, @Query('date') date: unknown): Promise<ReadingView> {
    if (typeof date !== 'string' || !isCalendarDate(date)) {
      throw new BadRequestException(['date must be a calendar date as YYYY-MM-DD']);
    }
    return toReadingView(await this.readings.onDate(user.id, date));
  }
}
