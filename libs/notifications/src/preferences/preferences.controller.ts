import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Principal } from '@numerai/common';
import { parsePreferenceTypes, PreferencesDto } from './preferences.dto';
import { NotificationPreferences, PreferencesService } from './preferences.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api/notifications/preferences')
export class PreferencesController {
  constructor(private readonly preferences: PreferencesService) {}

  @Get()
  @ApiOkResponse({ description: '{types: {<notification_type>: {in_app, push}}}; every type on by default' })
  get(@CurrentUser() user: Principal): Promise<NotificationPreferences> {
    return this.preferences.get(user.id);
  }

  @Put()
  @ApiOkResponse({ description: 'the caller’s preferences after the change' })
  put(@CurrentUser() user: Principal, @Body() dto: PreferencesDto): Promise<NotificationPreferences> {
    return this.preferences.put(user.id, parsePreferenceTypes(dto.types));
  }
}
