import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Principal } from '@numerai/common';
import { parsePreferenceTypes, PreferencesDto } from './preferences.dto';
import { NotificationPreferences, PreferencesService } from './preferences.service';

/** `{types: {<notification_type>: {in_app, push}}}`. */
const PREFERENCES = {
  type: 'object',
  required: ['types'],
  properties: {
    types: {
      type: 'object',
      description: 'by notification type',
      additionalProperties: {
        type: 'object',
        required: ['in_app', 'push'],
        properties: { in_app: { type: 'boolean' }, push: { type: 'boolean' } },
      },
    },
  },
};

@ApiTags('notifications')
@Controller('api/notifications/preferences')
export class PreferencesController {
  constructor(private readonly preferences: PreferencesService) {}

  @Get()
  @ApiOperation({ summary: 'The caller’s notification preferences' })
  @ApiOkResponse({ schema: PREFERENCES, description: 'every type on by default' })
  get(@CurrentUser() user: Principal): Promise<NotificationPreferences> {
    return this.preferences.get(user.id);
  }

  @Put()
  @ApiOperation({ summary: 'Switch notification types on or off, per channel' })
  @ApiOkResponse({ schema: PREFERENCES, description: 'the caller’s preferences after the change' })
  put(@CurrentUser() user: Principal, @Body() dto: PreferencesDto): Promise<NotificationPreferences> {
    return this.preferences.put(user.id, parsePreferenceTypes(dto.types));
  }
}
