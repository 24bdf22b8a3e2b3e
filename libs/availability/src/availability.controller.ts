import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentUser, Principal } from '@numerai/common';
import { AvailabilityService } from './availability.service';
import { AvailabilityView, AvailableNumerologistPage } from './availability.view';
import { AvailableQuery, SetAvailabilityDto, SetRateDto } from './dto/availability.dto';

const NUMEROLOGISTS_ONLY = { not_allowed: 'the caller is not a numerologist' } as const;

@ApiTags('availability')
@Controller('api/availability')
export class AvailabilityController {
  constructor(private readonly availability: AvailabilityService) {}

  @Get()
  @ApiOperation({ summary: 'The caller’s availability and per-minute rate (numerologists only)' })
  @ApiOkResponse({ type: AvailabilityView })
  @ApiErrors(NUMEROLOGISTS_ONLY)
  mine(@CurrentUser() user: Principal): Promise<AvailabilityView> {
    return this.availability.mine(user);
  }

  @Put()
  @ApiOperation({ summary: 'Become available, busy or offline for live sessions (numerologists only)' })
  @ApiOkResponse({ type: AvailabilityView })
  @ApiErrors({ ...NUMEROLOGISTS_ONLY, conflict: 'available or busy before a rate was set' })
  setStatus(@CurrentUser() user: Principal, @Body() dto: SetAvailabilityDto): Promise<AvailabilityView> {
    return this.availability.setStatus(user, dto.status);
  }

  @Put('rate')
  @ApiOperation({ summary: 'Set the caller’s per-minute rate (numerologists only)' })
  @ApiOkResponse({ type: AvailabilityView })
  @ApiErrors({ ...NUMEROLOGISTS_ONLY, invalid: 'rate_minor outside WALLET_RATE_MIN_MINOR…WALLET_RATE_MAX_MINOR' })
  setRate(@CurrentUser() user: Principal, @Body() dto: SetRateDto): Promise<AvailabilityView> {
    return this.availability.setRate(user, dto.rate_minor);
  }
}

@ApiTags('availability')
@Controller('api/numerologists')
export class AvailableNumerologistsController {
  constructor(private readonly availability: AvailabilityService) {}

  @Get('available')
  @ApiOperation({ summary: 'Numerologists available for a live session now, with their rates' })
  @ApiOkResponse({ type: AvailableNumerologistPage, description: 'by id; follow next_cursor for more' })
  available(@Query() query: AvailableQuery): Promise<AvailableNumerologistPage> {
    return this.availability.available(query);
  }
}
