import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsUUID } from 'class-validator';
import { CurrentUser, Principal } from '@numerai/common';
import { PresenceService } from './presence.service';

export class PresenceQuery {
  @IsOptional()
  @Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean)
      : value,
  )
  @IsArray()
  @ArrayMaxSize(200, { message: 'user_ids accepts at most 200 ids' })
  @IsUUID(undefined, { each: true, message: 'user_ids must be comma-separated UUIDs' })
  user_ids?: string[];
}

@ApiTags('presence')
@Controller('api/presence')
export class PresenceController {
  constructor(private readonly presence: PresenceService) {}

  @Get()
  @ApiQuery({
    name: 'user_ids',
    required: false,
    type: String,
    description: 'comma-separated UUIDs (at most 200); non-contacts are left out',
  })
  @ApiOperation({ summary: 'Who of the caller’s contacts is online' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['users'],
      properties: {
        users: {
          type: 'array',
          items: {
            type: 'object',
            required: ['user_id', 'online', 'last_seen'],
            properties: {
              user_id: { type: 'string', format: 'uuid' },
              online: { type: 'boolean' },
              last_seen: { type: 'string', format: 'date-time', nullable: true, description: 'null while online' },
            },
          },
        },
      },
    },
  })
  async get(@CurrentUser() user: Principal, @Query() query: PresenceQuery) {
    return { users: await this.presence.lookup(user.id, query.user_ids) };
  }
}
