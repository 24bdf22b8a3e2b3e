import { Controller, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { Roles, RolesGuard } from '@numerai/auth';
import { CurrentUser, Principal } from '@numerai/common';
import { AccountModeration } from './account-moderation';

@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Admins only' })
@UseGuards(RolesGuard)
@Roles('admin')
@Controller('api/admin/users/:id')
export class AdminUsersController {
  constructor(private readonly moderation: AccountModeration) {}

  @Post('block')
  @HttpCode(204)
  @ApiNoContentResponse({
    description: 'Blocked: every session ended, sockets closed (4401); login/refresh answer 403',
  })
  block(@CurrentUser() admin: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.moderation.block(admin, id);
  }

  @Post('unblock')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Unblocked: the user can log in again' })
  unblock(@CurrentUser() admin: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.moderation.unblock(admin, id);
  }

  @Post('sessions/revoke')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Every session of the user ended, sockets closed (4401)' })
  revokeSessions(@CurrentUser() admin: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.moderation.endSessions(admin, id);
  }
}
