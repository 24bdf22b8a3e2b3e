import { Controller, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles, RolesGuard } from '@numerai/auth';
import { ApiErrors, CurrentUser, Principal } from '@numerai/common';
import { AccountModeration } from './account-moderation';

@ApiTags('admin')
@ApiErrors({
  invalid: 'id is not a UUID, or is the caller’s own account',
  not_allowed: 'Admins only',
  not_found: 'No such user (or an erased one)',
})
@UseGuards(RolesGuard)
@Roles('admin')
@Controller('api/admin/users/:id')
export class AdminUsersController {
  constructor(private readonly moderation: AccountModeration) {}

  @Post('block')
  @HttpCode(204)
  @ApiOperation({ summary: 'Block a user: end their sessions and refuse their logins' })
  @ApiNoContentResponse({
    description: 'Blocked: every session ended, sockets closed (4401); login/refresh answer 403',
  })
  block(@CurrentUser() admin: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.moderation.block(admin, id);
  }

  @Post('unblock')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unblock a user' })
  @ApiNoContentResponse({ description: 'Unblocked: the user can log in again' })
  unblock(@CurrentUser() admin: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.moderation.unblock(admin, id);
  }

  @Post('sessions/revoke')
  @HttpCode(204)
  @ApiOperation({ summary: 'End every session of a user' })
  @ApiNoContentResponse({ description: 'Every session of the user ended, sockets closed (4401)' })
  revokeSessions(@CurrentUser() admin: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.moderation.endSessions(admin, id);
  }
}
